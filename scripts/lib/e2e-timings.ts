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
  /** How long its tests, set-ups and teardowns held suite-wide slots, summed (e2e/support/slots.ts). */
  slotMs?: number;
  /** How long they waited for one, summed. */
  slotWaitMs?: number;
}

/** One holder of a suite-wide slot, as e2e/.reports/slots.json keeps it (epoch ms). */
export interface SlotRecord {
  /** "tests/x.test.ts > test name", "tests/x.test.ts > set-up <namespace>" or "… > teardown <namespace>". */
  label: string;
  askedMs: number;
  /** Absent when it gave up waiting. */
  grantedMs?: number;
  releasedMs: number;
}

/** How a suite used its slots: held time by kind, against what the slots offered while any was held. */
export interface SlotUse {
  slots: number;
  /** From the first slot given to the last given back, times the slot count. */
  offeredMs: number;
  testsMs: number;
  setUpsMs: number;
  teardownsMs: number;
  waitedMs: number;
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
  /** Per suite, how its slots were used (absent for a suite that kept no slots.json). */
  slotUse?: Record<string, SlotUse>;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const kindOf = (label: string): 'set-up' | 'teardown' | 'test' => {
  const rest = label.split(' > ').slice(1).join(' > ');
  return rest.startsWith('set-up ') ? 'set-up' : rest.startsWith('teardown ') ? 'teardown' : 'test';
};

/** How long a holder waited for its slot and then held it (one that gave up waiting held nothing). */
const span = (r: SlotRecord) => {
  const granted = r.grantedMs ?? r.releasedMs;
  return { waitMs: granted - r.askedMs, heldMs: r.releasedMs - granted };
};

/** Per test file, how long its holders held slots and waited for them. */
export function slotMsByFile(
  records: readonly SlotRecord[],
): Map<string, { heldMs: number; waitMs: number }> {
  const result = new Map<string, { heldMs: number; waitMs: number }>();
  for (const r of records) {
    const file = r.label.split(' > ')[0] as string;
    const entry = result.get(file) ?? { heldMs: 0, waitMs: 0 };
    const { waitMs, heldMs } = span(r);
    entry.waitMs += waitMs;
    entry.heldMs += heldMs;
    result.set(file, entry);
  }
  return result;
}

/** A suite's slot use; undefined when no slot was given. */
export function slotUse(slots: number, records: readonly SlotRecord[]): SlotUse | undefined {
  const held = records.filter((r) => r.grantedMs !== undefined);
  if (held.length === 0) return undefined;
  const first = Math.min(...held.map((r) => r.grantedMs as number));
  const last = Math.max(...held.map((r) => r.releasedMs));
  const use: SlotUse = {
    slots,
    offeredMs: (last - first) * slots,
    testsMs: 0,
    setUpsMs: 0,
    teardownsMs: 0,
    waitedMs: 0,
  };
  for (const r of records) {
    const { waitMs, heldMs: ms } = span(r);
    use.waitedMs += waitMs;
    const kind = kindOf(r.label);
    if (kind === 'set-up') use.setUpsMs += ms;
    else if (kind === 'teardown') use.teardownsMs += ms;
    else use.testsMs += ms;
  }
  return use;
}

const pct = (part: number, whole: number) => `${whole > 0 ? Math.round((100 * part) / whole) : 0} %`;

/** One line: what the slots offered and what held them. */
export function formatSlotUse(suite: string, u: SlotUse, sampledMs: number): string {
  const held = u.testsMs + u.setUpsMs + u.teardownsMs;
  return (
    `${suite}: ${u.slots} slots offered ${s(u.offeredMs)}, held ${s(held)} (${pct(held, u.offeredMs)}): ` +
    `tests ${s(u.testsMs)} (their samplers ${s(sampledMs)}), set-ups ${s(u.setUpsMs)}, teardowns ${s(u.teardownsMs)}; ` +
    `waited ${s(u.waitedMs)} in all`
  );
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
  slotted: ReadonlyMap<string, { heldMs: number; waitMs: number }> = new Map(),
): FileTiming[] {
  return records
    .map((r) => {
      const sampledMs = sampled.get(r.file);
      const slot = slotted.get(r.file);
      return {
        suite,
        file: r.file,
        status: r.status,
        tests: r.tests,
        at: r.startMs - runStartedAt,
        ms: r.endMs - r.startMs,
        ...(sampledMs === undefined ? {} : { sampledMs: Math.min(sampledMs, r.endMs - r.startMs) }),
        ...(slot === undefined ? {} : { slotMs: slot.heldMs, slotWaitMs: slot.waitMs }),
      };
    })
    .sort((a, b) => b.ms - a.ms);
}

/** The table `pnpm e2e` and `pnpm bench:e2e` print: phases, then files, then the total. */
export function formatTimings(t: E2eTimings): string {
  const rows: string[][] = [['', 'start', 'took', '']];
  for (const p of t.phases) rows.push(['phase', s(p.at), s(p.ms), p.name]);
  for (const f of t.files) {
    const sampled =
      (f.sampledMs === undefined ? '' : `; sampling ${s(f.sampledMs)}, the rest ${s(f.ms - f.sampledMs)}`) +
      (f.slotMs === undefined ? '' : `; in slots ${s(f.slotMs)}, waiting ${s(f.slotWaitMs ?? 0)}`);
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
