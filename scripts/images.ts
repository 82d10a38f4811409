// pnpm images — build rollout-lab/myapp:v1.0 and :v2.0 and load them into the cluster.
import { ensureKind } from './lib/kind.js';
import { main, printTimings } from './lib/log.js';
import { buildAppImages, buildWorkspace, host, loadAppImages, plan } from './lib/steps.js';

await main(async () => {
  const chosen = await plan();
  await host(chosen);
  await buildWorkspace(['./apps/*']);
  await buildAppImages(chosen);
  await loadAppImages(await ensureKind());
  printTimings('images');
});
