// pnpm cluster:down — delete the kind clusters (images and build caches are kept).
import { cluster, nodesCluster } from './lib/config.js';
import { deleteCluster, ensureKind } from './lib/kind.js';
import { main, phase } from './lib/log.js';

await main(async () => {
  const kind = await ensureKind();
  for (const spec of [cluster, nodesCluster]) {
    await phase(`delete cluster ${spec.name}`, () => deleteCluster(kind, spec));
  }
});
