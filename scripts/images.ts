// pnpm images [--k8s 1.36] — build the app images and load them into that minor's cluster.
import { parseFlags } from './lib/args.js';
import { clustersFor, kubernetesRelease } from './lib/config.js';
import { ensureKind } from './lib/kind.js';
import { main, printTimings } from './lib/log.js';
import { buildAppImages, buildWorkspace, loadAppImages, planImages, setUpHost } from './steps.js';

const USAGE = `usage: pnpm images [--k8s 1.36]

Build the app images (rollout-lab/myapp:v1.0, :v2.0 and the test images) and load them into the kind
cluster of that minor (\`pnpm cluster:up\` first).

  --k8s MINOR   1.37 (default), 1.36 or 1.35; also ROLLOUT_LAB_K8S
  -h, --help    this text`;

await main(async () => {
  const flags = parseFlags('pnpm images', { k8s: 'string' }, USAGE);
  const chosen = await planImages(kubernetesRelease(flags.k8s));
  await setUpHost(chosen);
  await buildWorkspace(['./apps/*']);
  await buildAppImages(chosen);
  await loadAppImages(await ensureKind(), clustersFor(chosen.kubernetes).main);
  printTimings('images');
});
