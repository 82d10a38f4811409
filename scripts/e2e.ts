// pnpm e2e — everything from zero: host, cluster, images, the vitest e2e project on the cluster, then
// the node-restart suite on a second, multi-node cluster.

import { existsSync } from 'node:fs';
import { $ } from 'zx';
import { cachePath, nodesCluster, repoRoot, versions } from './lib/config.js';
import { has } from './lib/exec.js';
import { deleteCluster } from './lib/kind.js';
import { info, main, phase, printTimings } from './lib/log.js';
import { buildAppImages, clusterUp, host, kindUp, loadAppImages, plan } from './lib/steps.js';

const NODE_RESTART_IMAGES = ['rollout-lab/myapp:v1.0', 'rollout-lab/myapp:v2.0'];

await main(async () => {
  const started = Date.now();
  const chosen = await plan();
  await host(chosen);
  const kind = await kindUp(chosen);
  const kubeconfig = await clusterUp(kind, chosen);
  await buildAppImages(chosen);
  await loadAppImages(kind);
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

  // Restarting a node needs more than one: a second cluster, made for this suite and deleted after it
  // (ROLLOUT_LAB_KEEP_NODES=1 keeps it), so the main suite runs without two idle workers beside it.
  try {
    const nodesKubeconfig = await clusterUp(kind, chosen, nodesCluster);
    await loadAppImages(kind, nodesCluster, NODE_RESTART_IMAGES);
    await phase('e2e tests: node restart', async () => {
      const run = await $({
        cwd: `${repoRoot}/e2e`,
        env: { ...env, KUBECONFIG: nodesKubeconfig },
        nothrow: true,
        stdio: 'inherit',
      })`pnpm run e2e:nodes`;
      failed ||= run.exitCode !== 0;
    });
  } finally {
    if (process.env.ROLLOUT_LAB_KEEP_NODES !== '1') {
      await phase(`delete cluster ${nodesCluster.name}`, () => deleteCluster(kind, nodesCluster));
    }
  }
  printTimings(`pnpm e2e (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (failed) process.exitCode = 1;
});
