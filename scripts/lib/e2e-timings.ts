// The e2e timing table: where a run's time went, phase by phase and test file by test file.

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
}

export interface E2eTimings {
  startedAt: string;
  totalMs: number;
  workers: number;
  phases: PhaseTiming[];
  files: FileTiming[];
  /** kube-proxy's endpoint programming during each suite, per node (scripts/lib/kube-proxy.ts). */
  kubeProxy?: Record<string, Record<string, unknown>>;
  /** The host's TCP counters and CPU per part during each suite (scripts/lib/host-metrics.ts). */
  dataPath?: Record<string, unknown>;
}

/** Each test file's start (from the run's start), length, status and test count, longest first. */
export function fileTimings(
  suite: string,
  records: readonly FileRecord[],
  runStartedAt: number,
): FileTiming[] {
  return records
    .map((r) => ({
      suite,
      file: r.file,
      status: r.status,
      tests: r.tests,
      at: r.startMs - runStartedAt,
      ms: r.endMs - r.startMs,
    }))
    .sort((a, b) => b.ms - a.ms);
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The table `pnpm e2e` and `pnpm bench:e2e` print: phases, then files, then the total. */
export function formatTimings(t: E2eTimings): string {
  const rows: string[][] = [['', 'start', 'took', '']];
  for (const p of t.phases) rows.push(['phase', s(p.at), s(p.ms), p.name]);
  for (const f of t.files) {
    rows.push([`${f.suite} file`, s(f.at), s(f.ms), `${f.file} (${f.tests} tests, ${f.status})`]);
  }
  rows.push(['total', '', s(t.totalMs), `wall clock, ${t.workers} files at a time per suite`]);
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
