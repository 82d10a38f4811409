// The e2e timing table: where a run's time went, phase by phase and test file by test file.
import type { ScenarioRecord } from '@rollout-lab/report';

/** One test file as e2e/support/timing-reporter.ts records it: wall clock, hooks included. */
export interface FileRecord {
  /** Path relative to the e2e folder. */
  file: string;
  startMs: number;
  endMs: number;
  tests: number;
  status: string;
}

export interface PhaseTiming {
  name: string;
  /** Start, in ms from the run's start. */
  at: number;
  ms: number;
}

export interface FileTiming {
  suite: string;
  file: string;
  status: string;
  tests: number;
  at: number;
  ms: number;
  /**
   * How long its scenarios' samplers ran, overlaps counted once; the rest of `ms` is set-up, waiting
   * and checks. Absent when the file left no scenario record.
   */
  sampledMs?: number;
}

export interface E2eTimings {
  startedAt: string;
  totalMs: number;
  /** Files that sample traffic, at a time. */
  workers: number;
  /** Files that start no traffic, at a time; they run first (e2e/vitest.config.ts). */
  quietWorkers?: number;
  /** Tests, namespace set-ups and teardowns of the sampled files at once (e2e/support/slots.ts). */
  slots?: number;
  phases: PhaseTiming[];
  files: FileTiming[];
  /** kube-proxy's endpoint programming during each suite, per node (scripts/lib/kube-proxy.ts). */
  kubeProxy?: Record<string, Record<string, unknown>>;
  /** The host's TCP counters and CPU per part during each suite (scripts/lib/host-metrics.ts). */
  dataPath?: Record<string, unknown>;
}

/** What a scenario record says about when its traffic ran. */
export type SampledSpan = Pick<ScenarioRecord, 'test' | 'endedAt' | 'durationS'>;

/** Per test file, the time its scenarios sampled: the union of their spans (scenarios of a file overlap). */
export function sampledMsByFile(spans: readonly SampledSpan[]): Map<string, number> {
  const byFile = new Map<string, Array<[number, number]>>();
  for (const span of spans) {
    const end = span.endedAt ? Date.parse(span.endedAt) : Number.NaN;
    const file = span.test?.split(' > ')[0];
    if (!file || !Number.isFinite(end) || !(span.durationS >= 0)) continue;
    const list = byFile.get(file) ?? [];
    list.push([end - span.durationS * 1000, end]);
    byFile.set(file, list);
  }
  const result = new Map<string, number>();
  for (const [file, list] of byFile) {
    list.sort((a, b) => a[0] - b[0]);
    let total = 0;
    let [from, to] = list[0] as [number, number];
    for (const [start, end] of list.slice(1)) {
      if (start > to) {
        total += to - from;
        [from, to] = [start, end];
      } else to = Math.max(to, end);
    }
    result.set(file, total + (to - from));
  }
  return result;
}

/** Each test file's start (from the run's start), length, status and test count, longest first. */
export function fileTimings(
  suite: string,
  records: readonly FileRecord[],
  runStartedAt: number,
  sampled: ReadonlyMap<string, number> = new Map(),
): FileTiming[] {
  return records
    .map((r) => {
      const sampledMs = sampled.get(r.file);
      return {
        suite,
        file: r.file,
        status: r.status,
        tests: r.tests,
        at: r.startMs - runStartedAt,
        ms: r.endMs - r.startMs,
        ...(sampledMs === undefined ? {} : { sampledMs: Math.min(sampledMs, r.endMs - r.startMs) }),
      };
    })
    .sort((a, b) => b.ms - a.ms);
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The table `pnpm e2e` and `pnpm bench:e2e` print: phases, then files, then the total. */
export function formatTimings(t: E2eTimings): string {
  const rows: string[][] = [['', 'start', 'took', '']];
  for (const p of t.phases) rows.push(['phase', s(p.at), s(p.ms), p.name]);
  for (const f of t.files) {
    const sampled =
      f.sampledMs === undefined ? '' : `; sampling ${s(f.sampledMs)}, the rest ${s(f.ms - f.sampledMs)}`;
    rows.push([`${f.suite} file`, s(f.at), s(f.ms), `${f.file} (${f.tests} tests, ${f.status}${sampled})`]);
  }
  const atATime =
    t.quietWorkers === undefined
      ? `${t.workers} files at a time per suite`
      : `files without traffic ${t.quietWorkers} at a time, then the sampled ${t.workers} at a time` +
        (t.slots === undefined ? '' : `, ${t.slots} of their tests at once`);
  rows.push(['total', '', s(t.totalMs), `wall clock, ${atATime}`]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  return rows
    .map((r) =>
      [
        (r[0] as string).padEnd(widths[0] as number),
        (r[1] as string).padStart(widths[1] as number),
        (r[2] as string).padStart(widths[2] as number),
        r[3],
      ]
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
