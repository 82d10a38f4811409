import { ERROR_KINDS, type ErrorKind, type RequestRecord } from './types.js';

export interface Bucket {
  /** Bucket start, ms since the sampler's zero. */
  startMs: number;
  total: number;
  versions: Record<string, number>;
  errors: number;
}

/** Groups records by the time each request went out. */
export function timeline(records: readonly RequestRecord[], bucketMs = 1000): Bucket[] {
  if (records.length === 0) return [];
  const last = Math.max(...records.map((r) => r.startedAt));
  const buckets: Bucket[] = Array.from({ length: Math.floor(last / bucketMs) + 1 }, (_, i) => ({
    startMs: i * bucketMs,
    total: 0,
    versions: {},
    errors: 0,
  }));
  for (const record of records) {
    const bucket = buckets[Math.floor(record.startedAt / bucketMs)] as Bucket;
    bucket.total++;
    if (record.error) bucket.errors++;
    else if (record.version) bucket.versions[record.version] = (bucket.versions[record.version] ?? 0) + 1;
  }
  return buckets;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] as number };
}

export interface Summary {
  requests: number;
  ok: number;
  failed: number;
  errors: Partial<Record<ErrorKind, number>>;
  versions: Record<string, number>;
  pods: Record<string, number>;
  /** From the first request's start to the last one's. */
  spanMs: number;
  achievedRate: number;
  /** Time from answer start to the complete answer. */
  latencyMs: Percentiles;
  /** How late each request started against its schedule: the sampler's own timing error. */
  lagMs: Percentiles;
  /** Requests whose TCP handshake took ≥ 1 s: a SYN was lost or not answered (the 1 s retransmit). */
  slowConnects: number;
}

export function summarize(records: readonly RequestRecord[]): Summary {
  const errors: Partial<Record<ErrorKind, number>> = {};
  const versions: Record<string, number> = {};
  const pods: Record<string, number> = {};
  let failed = 0;
  let slowConnects = 0;
  for (const record of records) {
    if ((record.connectMs ?? 0) >= 1000) slowConnects++;
    if (record.error) {
      failed++;
      errors[record.error] = (errors[record.error] ?? 0) + 1;
    } else if (record.version) {
      versions[record.version] = (versions[record.version] ?? 0) + 1;
    }
    if (record.pod && !record.error) pods[record.pod] = (pods[record.pod] ?? 0) + 1;
  }
  const starts = records.map((r) => r.startedAt);
  const spanMs = records.length > 1 ? Math.max(...starts) - Math.min(...starts) : 0;
  return {
    requests: records.length,
    ok: records.length - failed,
    failed,
    errors,
    versions,
    pods,
    spanMs,
    achievedRate: spanMs > 0 ? ((records.length - 1) * 1000) / spanMs : 0,
    latencyMs: percentiles(records.map((r) => r.endedAt - r.startedAt)),
    lagMs: percentiles(records.map((r) => r.startedAt - r.scheduledAt)),
    slowConnects,
  };
}

/** "refused 3, reset 1" — error counts in a fixed order. */
export function formatErrors(errors: Partial<Record<ErrorKind, number>>): string {
  const parts = ERROR_KINDS.filter((kind) => errors[kind]).map((kind) => `${kind} ${errors[kind]}`);
  return parts.length ? parts.join(', ') : 'none';
}

export type Phase = string; // a version name, or 'mixed'

/**
 * The phases a run went through, in order. A phase is a version when at least `minRun` consecutive
 * answers (in start order) came from it; whatever lies between such runs is 'mixed'. Requiring a run
 * keeps a lucky streak inside a mixed stretch from counting as a phase: with a 2:1 mix, 30 answers in a
 * row from one side happen with probability (2/3)^30 ≈ 5e-6.
 */
export function phases(records: readonly RequestRecord[], minRun = 30): Phase[] {
  const answers = records.filter((r) => !r.error && r.version).sort((a, b) => a.startedAt - b.startedAt);
  const result: Phase[] = [];
  const push = (phase: Phase) => {
    if (result[result.length - 1] !== phase) result.push(phase);
  };
  let i = 0;
  while (i < answers.length) {
    let j = i;
    while (j < answers.length && answers[j]?.version === answers[i]?.version) j++;
    push(j - i >= minRun ? (answers[i]?.version as string) : 'mixed');
    i = j;
  }
  return result;
}

/** Start time of the first run of at least `minRun` consecutive answers from `version`. */
export function firstPureRun(
  records: readonly RequestRecord[],
  version: string,
  minRun = 30,
): number | undefined {
  const answers = records.filter((r) => !r.error && r.version).sort((a, b) => a.startedAt - b.startedAt);
  let run = 0;
  for (let i = 0; i < answers.length; i++) {
    run = answers[i]?.version === version ? run + 1 : 0;
    if (run === minRun) return answers[i - minRun + 1]?.startedAt;
  }
  return undefined;
}

export interface Share {
  version: string;
  count: number;
  n: number;
  share: number;
}

export function shareOf(records: readonly RequestRecord[], version: string): Share {
  const answers = records.filter((r) => !r.error && r.version);
  const count = answers.filter((r) => r.version === version).length;
  return { version, count, n: answers.length, share: answers.length ? count / answers.length : 0 };
}

/** Half-width of the acceptance band for a binomial share: z standard deviations. */
export function binomialTolerance(expected: number, n: number, z = 4): number {
  return n > 0 ? z * Math.sqrt((expected * (1 - expected)) / n) : 1;
}
