// pnpm cluster:down — delete every kind cluster of ours that exists, of every Kubernetes minor (images
// and build caches are kept).
import { parseFlags } from './lib/args.js';
import { clustersFor, kubernetesReleases } from './lib/config.js';
import { clusterState, deleteCluster, ensureKind } from './lib/kind.js';
import { info, main, phase } from './lib/log.js';

const USAGE = `usage: pnpm cluster:down

Delete every kind cluster of ours that exists, of every Kubernetes minor. Images and build caches
(~/.cache/rollout-lab) are kept.

  -h, --help    this text`;

await main(async () => {
  parseFlags('pnpm cluster:down', {}, USAGE);
  const kind = await ensureKind();
  const specs = kubernetesReleases.flatMap((r) => Object.values(clustersFor(r)));
  let deleted = 0;
  for (const spec of specs) {
    if ((await clusterState(kind, spec)) === 'absent') continue;
    await phase(`delete cluster ${spec.name}`, () => deleteCluster(kind, spec));
    deleted++;
  }
  if (!deleted) info('no cluster of ours exists');
});
