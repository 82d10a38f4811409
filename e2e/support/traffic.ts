import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ScenarioRecord, scenarioRecord } from '@rollout-lab/report';
import type { Cluster } from '@rollout-lab/rollout';
import {
  type EndpointTimeline,
  explainFailure,
  formatErrors,
  type RequestRecord,
  renderChart,
  type Sampler,
  type SamplerProcessOptions,
  startSamplerProcess,
  summarize,
} from '@rollout-lab/traffic';
import { expect } from 'vitest';
import { cluster, namespaceOfUrl } from './cluster.js';
import { watchEndpoints } from './endpoints.js';
import { kubernetesMinor, reportsDir } from './env.js';
import { runningTest } from './scenarios.js';

const e2eRoot = fileURLToPath(new URL('..', import.meta.url));

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How many answers in a row from the new version mean it "took over" in a 3-replica rolling update, for
 * assertPhases' straggler check. While an old pod is still an endpoint it holds at least 1 of 4 (3
 * replicas + 1 surge), so a run of n new answers by chance has probability ≤ 0.75^n per position: 30
 * (the library's default) gives about 2·10⁻⁴, which a slow last step of ~500 requests turns into false
 * alarms now and then; 60 gives 3·10⁻⁸. A real stale endpoint keeps answering a quarter of the requests
 * and still breaks every such run.
 */
export const TAKEOVER_RUN = 60;

let k8s: Cluster | undefined;
const client = () => {
  k8s ??= cluster();
  return k8s;
};

/** The runs this file finished: their URL, and the endpoints and pods of their namespace meanwhile. */
const finished: Array<{ records: Set<RequestRecord>; url: string; timeline?: EndpointTimeline }> = [];

/**
 * Lines for the failures no rollout explains: each one's time and kind with the endpoints and pods of its
 * namespace then (support/endpoints.ts). Where failures are injected, their 5xx are left out.
 */
export function unexplainedFailureLines(
  records: readonly RequestRecord[],
  failuresInjected = false,
): string[] {
  const failures = records.filter((r) => r.error && !(failuresInjected && r.error === 'http-5xx'));
  if (failures.length === 0) return [];
  const first = failures[0] as RequestRecord;
  const timeline = finished.find((f) => f.records.has(first))?.timeline;
  if (!timeline)
    return [`  ${failures.length} failures no rollout explains (no watch of their namespace to tell why)`];
  const shown = failures.slice(0, 10).map((r) => `  why? ${explainFailure(timeline, r)}`);
  const more = failures.length - shown.length;
  return [
    `  ${failures.length} failures no rollout explains; the namespace's endpoints and pods at each:`,
    ...shown,
    ...(more > 0 ? [`  … and ${more} more`] : []),
  ];
}

/** A sampler running through a whole scenario, with named time marks for windows. */
export interface Run {
  sampler: Sampler;
  marks: Record<string, number>;
  mark(name: string): number;
  /** Answers started between two marks (or from a mark to the end). */
  window(records: readonly RequestRecord[], from: string, to?: string): RequestRecord[];
  /** Keeps sampling until at least `min` requests were sent, then stops. */
  finish(min?: number): Promise<RequestRecord[]>;
}

/**
 * Starts a sampler process and resolves once it runs: marks made after this count from its zero. A
 * process of its own (the test's API calls, JSON and the children it forks never delay it), at nice -10
 * where allowed (root), so that on two busy cores it is not the one that waits.
 */
export async function run(
  options: Omit<SamplerProcessOptions, 'durationMs'> & { durationMs?: number },
): Promise<Run> {
  // Bounded: no scenario samples for more than 10 minutes.
  const sampler = startSamplerProcess({
    durationMs: 600_000,
    ...options,
  });
  await sampler.started;
  const namespace = namespaceOfUrl(options.url);
  let watch: ReturnType<typeof watchEndpoints> | undefined;
  try {
    if (namespace) watch = watchEndpoints(client(), namespace, () => sampler.elapsed());
  } catch {
    // Diagnostics only: without a client, failures are reported without their endpoints.
  }
  // A test that fails before finish() still ends its sampler (its bound at the latest): the watch too.
  const unwatch = () => void watch?.stop();
  sampler.done.then(unwatch, unwatch);
  const marks: Record<string, number> = { start: 0 };
  return {
    sampler,
    marks,
    mark(name) {
      marks[name] = sampler.elapsed();
      return marks[name];
    },
    window(records, from, to) {
      const a = marks[from] ?? 0;
      const b = to === undefined ? Number.POSITIVE_INFINITY : (marks[to] ?? Number.POSITIVE_INFINITY);
      return records.filter((r) => r.startedAt >= a && r.startedAt < b);
    },
    async finish(min = 1000) {
      while (sampler.records.length < min) await sleep(200);
      const { records } = await sampler.stop();
      const timeline = watch?.stop();
      finished.push({ records: new Set(records), url: options.url, timeline });
      return records;
    },
  };
}

/** The one version the last `n` answers all came from, or undefined if they were mixed: where a rollout settled. */
export function settledVersion(records: readonly RequestRecord[], n = 100): string | undefined {
  const versions = new Set(
    records
      .filter((r) => r.version)
      .slice(-n)
      .map((r) => r.version),
  );
  return versions.size === 1 ? [...versions][0] : undefined;
}

/**
 * Prints the chart and a summary, and keeps the scenario's record (@rollout-lab/report) in
 * .reports/scenarios/ for the HTML report `pnpm e2e` writes.
 */
export async function report(
  name: string,
  records: readonly RequestRecord[],
  facts: Record<string, unknown> = {},
  options: {
    /** The scenario injects failures on purpose (a faulty canary) and asserts their bound, not zero. */
    failuresInjected?: boolean;
    /** The run's marks (Run.marks): vertical lines on the report's chart. */
    marks?: Record<string, number>;
  } = {},
) {
  const s = summarize(records);
  const chart = renderChart(records, { title: name });
  const first = records[0];
  const url = first && finished.find((f) => f.records.has(first))?.url;
  const lines = [
    chart,
    `${name}: ${s.requests} requests, ${s.failed} failed (${formatErrors(s.errors)}), versions ${JSON.stringify(s.versions)}, ` +
      `${Object.keys(s.pods).length} pods, achieved ${s.achievedRate.toFixed(1)}/s, latency p99 ${s.latencyMs.p99.toFixed(1)} ms`,
    ...Object.entries(facts).map(
      ([k, v]) => `  ${k}: ${typeof v === 'number' ? v.toFixed(1) : JSON.stringify(v)}`,
    ),
    ...unexplainedFailureLines(records, options.failuresInjected),
  ];
  console.log(lines.join('\n'));
  await saveScenario(
    scenarioRecord(name, records, {
      test: currentTest(),
      kubernetes: kubernetesMinor,
      facts,
      marks: options.marks,
      failuresInjected: options.failuresInjected,
      url,
      chart,
    }),
  );
}

/** The running test as the HTML report joins it with its outcome: "tests/file.test.ts > describe > test". */
export function currentTest(): string | undefined {
  const running = runningTest();
  if (running) return running;
  const state = expect.getState();
  return state.testPath ? `${relative(e2eRoot, state.testPath)} > ${state.currentTestName ?? ''}` : undefined;
}

/** Keeps a scenario's record in .reports/scenarios/ for the HTML report `pnpm e2e` writes. */
export async function saveScenario(record: ScenarioRecord): Promise<void> {
  const dir = join(e2eRoot, reportsDir(), 'scenarios');
  await mkdir(dir, { recursive: true });
  // Made right after its sampler stopped: the end of its traffic, for the time each file spent sampling.
  const dated: ScenarioRecord = { ...record, endedAt: record.endedAt ?? new Date().toISOString() };
  await writeFile(join(dir, `${record.name.replace(/[^\w-]+/g, '-')}.json`), JSON.stringify(dated, null, 2));
}
