// pnpm images [--k8s 1.36] — build the app images and load them into that minor's cluster.
import { parseFlags } from './lib/args.js';
import { clustersFor, kubernetesRelease } from './lib/config.js';
import { ensureKind } from './lib/kind.js';
import { main, printTimings } from './lib/log.js';
import { buildAppImages, buildWorkspace, loadAppImages, planImages, setUpHost } from './steps.js';

await main(async () => {
  const flags = parseFlags('pnpm images', { k8s: 'string' });
  const chosen = await planImages(kubernetesRelease(flags.k8s));
  await setUpHost(chosen);
  await buildWorkspace(['./apps/*']);
  await buildAppImages(chosen);
  await loadAppImages(await ensureKind(), clustersFor(chosen.kubernetes).main);
  printTimings('images');
});
