// pnpm images [--k8s 1.36] — build the app images and load them into that minor's cluster.
import { parseFlags } from './lib/args.js';
import { clustersFor, kubernetesRelease } from './lib/config.js';
import { ensureKind } from './lib/kind.js';
import { main, printTimings } from './lib/log.js';
import { buildAppImages, buildWorkspace, host, loadAppImages, plan } from './lib/steps.js';

await main(async () => {
  const flags = parseFlags('pnpm images', { k8s: 'string' });
  const chosen = await plan(kubernetesRelease(flags.k8s));
  await host(chosen);
  await buildWorkspace(['./apps/*']);
  await buildAppImages(chosen);
  await loadAppImages(await ensureKind(), clustersFor(chosen.kubernetes).main);
  printTimings('images');
});
