import { type ErrorKind, type RequestRecord, type Summary, summarize } from '@rollout-lab/traffic';

/** One time slice of the version mix, with its failures by class. */
export interface MixBucket {
  /** Slice start, ms since the sampler's zero. */
  startMs: number;
  versions: Record<string, number>;
  errors: Partial<Record<ErrorKind, number>>;
}

/** A moment worth a vertical line on the chart: the change, rollout complete, old pods gone, a switch. */
export interface Mark {
  name: string;
  atMs: number;
}

/**
 * What one scenario leaves behind (e2e/.reports/…/scenarios/*.json, `rollout verify --report`): enough
 * to draw its chart again without the 10⁴ raw records.
 */
export interface ScenarioRecord {
  name: string;
  /** The vitest test that produced it ("file > describe > test"), to join with the test's verdict. */
  test?: string;
  kubernetes?: string;
  durationS: number;
  /** When its sampling ended (ISO 8601): with durationS, where in a run its traffic was. */
  endedAt?: string;
  /** The scenario injects failures on purpose (a faulty canary) and asserts their bound, not zero. */
  failuresInjected: boolean;
  /** Where its traffic went (a NodePort on 127.0.0.1): joins the host's traced SYN retransmits by port. */
  url?: string;
  summary: Summary;
  facts: Record<string, unknown>;
  marks: Mark[];
  mix: { bucketMs: number; buckets: MixBucket[] };
  /** The text chart printed to the log (traffic's renderChart). */
  chart?: string;
}

/** Slices small enough to show a 1 s gap, few enough (≤ 150) that the record stays a few kB. */
export function bucketSizeMs(spanMs: number): number {
  return Math.max(250, Math.ceil(spanMs / 150 / 250) * 250);
}

/**
 * First start, last start and last end in one pass: a 10-minute run at 500/s is 300,000 records, too many
 * to spread into Math.max's arguments.
 */
function extent(records: readonly RequestRecord[]) {
  let firstStart = Number.POSITIVE_INFINITY;
  let lastStart = 0;
  let lastEnd = 0;
  for (const r of records) {
    if (r.startedAt < firstStart) firstStart = r.startedAt;
    if (r.startedAt > lastStart) lastStart = r.startedAt;
    if (r.endedAt > lastEnd) lastEnd = r.endedAt;
  }
  return { firstStart, lastStart, lastEnd };
}

export function versionMix(records: readonly RequestRecord[], bucketMs: number): MixBucket[] {
  if (records.length === 0) return [];
  const last = extent(records).lastStart;
  const buckets: MixBucket[] = Array.from({ length: Math.floor(last / bucketMs) + 1 }, (_, i) => ({
    startMs: i * bucketMs,
    versions: {},
    errors: {},
  }));
  for (const r of records) {
    const bucket = buckets[Math.max(0, Math.floor(r.startedAt / bucketMs))] as MixBucket;
    if (r.error) bucket.errors[r.error] = (bucket.errors[r.error] ?? 0) + 1;
    else {
      const version = r.version ?? '?';
      bucket.versions[version] = (bucket.versions[version] ?? 0) + 1;
    }
  }
  return buckets;
}

export interface ScenarioInput {
  test?: string;
  kubernetes?: string;
  facts?: Record<string, unknown>;
  /** Named moments, ms since the sampler's zero (a Run's marks; `start` at 0 is left out). */
  marks?: Record<string, number>;
  failuresInjected?: boolean;
  url?: string;
  chart?: string;
}

export function scenarioRecord(
  name: string,
  records: readonly RequestRecord[],
  input: ScenarioInput = {},
): ScenarioRecord {
  const summary = summarize(records);
  const { firstStart, lastStart, lastEnd } = extent(records);
  const durationS = records.length ? (lastEnd - firstStart) / 1000 : 0;
  const bucketMs = bucketSizeMs(records.length ? lastStart : 0);
  return {
    name,
    ...(input.test ? { test: input.test } : {}),
    ...(input.kubernetes ? { kubernetes: input.kubernetes } : {}),
    durationS,
    failuresInjected: input.failuresInjected === true,
    ...(input.url ? { url: input.url } : {}),
    summary,
    facts: input.facts ?? {},
    marks: Object.entries(input.marks ?? {})
      .filter(([markName, atMs]) => !(markName === 'start' && atMs === 0))
      .map(([markName, atMs]) => ({ name: markName, atMs }))
      .sort((a, b) => a.atMs - b.atMs),
    mix: { bucketMs, buckets: versionMix(records, bucketMs) },
    ...(input.chart ? { chart: input.chart } : {}),
  };
}

/** A scenario's failures, by class, with the seconds they happened in: "reset ×3 at 12.0–14.5 s". */
export function failureLines(scenario: Pick<ScenarioRecord, 'mix'>): string[] {
  const spans = new Map<string, { count: number; first: number; last: number }>();
  for (const bucket of scenario.mix.buckets) {
    for (const [kind, count] of Object.entries(bucket.errors)) {
      if (!count) continue;
      const span = spans.get(kind) ?? { count: 0, first: bucket.startMs, last: bucket.startMs };
      span.count += count;
      span.last = bucket.startMs + scenario.mix.bucketMs;
      spans.set(kind, span);
    }
  }
  return [...spans].map(
    ([kind, s]) => `${kind} ×${s.count} at ${(s.first / 1000).toFixed(1)}–${(s.last / 1000).toFixed(1)} s`,
  );
}
