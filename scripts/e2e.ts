// pnpm e2e — everything from zero: host, both clusters, the workspace build, images, then the main suite
// (one-node cluster) and the node-restart suite (three-node cluster) at the same time. Prints where the
// time went and writes it to e2e/.reports/timings.json.

import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { $ } from 'zx';
import { cachePath, cluster, nodesCluster, portRange, repoRoot, versions } from './lib/config.js';
import { type E2eTimings, type FileTiming, fileTimings, formatTimings } from './lib/e2e-timings.js';
import { has } from './lib/exec.js';
import { info, main, phase, processStart, timings } from './lib/log.js';
import { buildAppImages, buildWorkspace, clusterUp, host, kindUp, loadAppImages, plan } from './lib/steps.js';

const NODE_RESTART_IMAGES = ['rollout-lab/myapp:v1.0', 'rollout-lab/myapp:v2.0'];
const e2eDir = join(repoRoot, 'e2e');
const reports = join(e2eDir, '.reports');
/** Test files run at a time in each suite (measured: see the README's timing section). */
const workers = Number(process.env.ROLLOUT_LAB_E2E_WORKERS ?? 2);

interface Suite {
  name: string;
  /** vitest arguments after `vitest run`. */
  args: string[];
  /** Where its reports go, relative to e2e/. */
  reports: string;
  kubeconfig: string;
  ports: string;
  cluster: string;
}

/** Runs one vitest suite; a live one prints as it goes, another is kept in a log and printed after. */
async function runSuite(suite: Suite, env: NodeJS.ProcessEnv, live: boolean): Promise<boolean> {
  return phase(`e2e ${suite.name}`, async () => {
    const result = await $({
      cwd: e2eDir,
      env: {
        ...env,
        KUBECONFIG: suite.kubeconfig,
        ROLLOUT_LAB_NODE_PORTS: suite.ports,
        ROLLOUT_LAB_KIND_CLUSTER: suite.cluster,
        ROLLOUT_LAB_E2E_WORKERS: String(workers),
        ROLLOUT_LAB_REPORTS: suite.reports,
      },
      nothrow: true,
      quiet: !live,
      stdio: live ? 'inherit' : 'pipe',
    })`pnpm exec vitest run ${suite.args}`;
    if (!live) {
      const log = join(e2eDir, suite.reports, 'e2e.log');
      await mkdir(dirname(log), { recursive: true });
      await writeFile(log, `${result.stdout}${result.stderr}`);
      console.log(`\n── e2e ${suite.name} (also in ${log}) ──\n${result.stdout}${result.stderr}`);
    }
    return result.exitCode === 0;
  });
}

async function readFiles(suite: Suite): Promise<FileTiming[]> {
  const file = join(e2eDir, suite.reports, 'files.json');
  if (!existsSync(file)) return [];
  return fileTimings(suite.name, JSON.parse(await readFile(file, 'utf8')), processStart);
}

await main(async () => {
  const chosen = await plan();
  await host(chosen);
  const kind = await kindUp(chosen);
  await rm(reports, { recursive: true, force: true });
  await mkdir(reports, { recursive: true });

  // Both clusters and the build at once: cluster creation mostly waits on kubeadm, the build on CPU.
  const [kubeconfig, nodesKubeconfig] = await Promise.all([
    clusterUp(kind, chosen, cluster),
    clusterUp(kind, chosen, nodesCluster),
    (async () => {
      await buildWorkspace(['@rollout-lab/e2e...', './apps/*']);
      await buildAppImages(chosen);
    })(),
  ]);
  await Promise.all([loadAppImages(kind, cluster), loadAppImages(kind, nodesCluster, NODE_RESTART_IMAGES)]);

  const offlineKubectl = cachePath('bin', `kubernetes-${versions.kubernetes}`, 'kubectl');
  const kubectl = (await has('kubectl'))
    ? 'kubectl'
    : existsSync(offlineKubectl)
      ? offlineKubectl
      : undefined;
  if (!kubectl) info('no kubectl on PATH: the e2e tests that compare with kubectl will say so');
  const env = { ...process.env, ROLLOUT_LAB_KUBECTL: kubectl ?? 'kubectl' };

  const suites: Suite[] = [
    {
      name: 'main',
      args: ['tests/'],
      reports: '.reports',
      kubeconfig,
      ports: portRange(cluster),
      cluster: cluster.name,
    },
    {
      name: 'node restart',
      args: ['nodes/'],
      reports: '.reports/nodes',
      kubeconfig: nodesKubeconfig,
      ports: portRange(nodesCluster),
      cluster: nodesCluster.name,
    },
  ];
  // The node-restart suite has its own cluster and NodePorts, so it runs beside the main one.
  const passed = await Promise.all(suites.map((suite, i) => runSuite(suite, env, i === 0)));

  const result: E2eTimings = {
    startedAt: new Date(processStart).toISOString(),
    totalMs: Date.now() - processStart,
    workers,
    phases: timings.map(({ name, at, ms }) => ({ name, at, ms })),
    files: (await Promise.all(suites.map(readFiles))).flat(),
  };
  await writeFile(join(reports, 'timings.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `\npnpm e2e: where the time went (also in e2e/.reports/timings.json)\n${formatTimings(result)}`,
  );
  if (!passed.every(Boolean)) process.exitCode = 1;
});
