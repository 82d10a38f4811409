// pnpm cluster:up — create or reuse the kind cluster (offline: build its node image first).
import { main, printTimings } from './lib/log.js';
import { clusterUp, host, kindUp, plan } from './lib/steps.js';

await main(async () => {
  const chosen = await plan();
  await host(chosen);
  const kubeconfig = await clusterUp(await kindUp(chosen), chosen);
  printTimings('cluster:up');
  console.log(`\nready: KUBECONFIG=${kubeconfig} kubectl get nodes`);
});
