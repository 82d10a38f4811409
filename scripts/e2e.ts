// pnpm e2e — everything from zero: host, cluster, images, then the vitest e2e project on the cluster.

import { existsSync } from 'node:fs';
import { $ } from 'zx';
import { cachePath, repoRoot, versions } from './lib/config.js';
import { has } from './lib/exec.js';
import { info, main, phase, printTimings } from './lib/log.js';
import { appImagesUp, clusterUp, host, plan } from './lib/steps.js';

await main(async () => {
  const started = Date.now();
  const chosen = await plan();
  await host(chosen);
  const { kubeconfig, kind } = await clusterUp(chosen);
  await appImagesUp(chosen, kind);
  const offlineKubectl = cachePath('bin', `kubernetes-${versions.kubernetes}`, 'kubectl');
  const kubectl = (await has('kubectl'))
    ? 'kubectl'
    : existsSync(offlineKubectl)
      ? offlineKubectl
      : undefined;
  if (!kubectl) info('no kubectl on PATH: the e2e tests that compare with kubectl will say so');
  const env = { ...process.env, KUBECONFIG: kubeconfig, ROLLOUT_LAB_KUBECTL: kubectl ?? 'kubectl' };
  let failed = false;
  await phase('e2e tests', async () => {
    const run = await $({ cwd: `${repoRoot}/e2e`, env, nothrow: true, stdio: 'inherit' })`pnpm run e2e`;
    failed = run.exitCode !== 0;
  });
  printTimings(`pnpm e2e (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (failed) process.exitCode = 1;
});
