import {
  binomialTolerance,
  firstPureRun,
  formatErrors,
  type Phase,
  phases,
  shareOf,
  summarize,
} from './analyze.js';
import type { RequestRecord } from './types.js';

/** A failed traffic expectation; the message says what was seen. */
export class TrafficAssertionError extends Error {
  override name = 'TrafficAssertionError';
}

const at = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Not one request may fail: no refusal, reset, timeout, 5xx or foreign body. */
export function assertNoErrors(records: readonly RequestRecord[]): void {
  const failures = records.filter((r) => r.error);
  if (failures.length === 0) return;
  const sample = failures
    .slice(0, 5)
    .map((r) => `#${r.seq} at ${at(r.startedAt)}: ${r.error}${r.detail ? ` (${r.detail})` : ''}`)
    .join('; ');
  throw new TrafficAssertionError(
    `${failures.length} of ${records.length} requests failed [${formatErrors(summarize(records).errors)}]; first: ${sample}`,
  );
}

/** Exactly these versions answered (order does not matter). */
export function assertVersions(records: readonly RequestRecord[], expected: readonly string[]): void {
  const seen = Object.keys(summarize(records).versions).sort();
  const want = [...expected].sort();
  if (seen.join(',') !== want.join(',')) {
    throw new TrafficAssertionError(`versions seen: [${seen.join(', ')}], expected [${want.join(', ')}]`);
  }
}

/**
 * The run went through exactly these phases (see `phases`), and once the last phase's version had a
 * clean run, no other version answered again — e.g. nothing of v1 after v2 took over.
 */
export function assertPhases(
  records: readonly RequestRecord[],
  expected: readonly Phase[],
  minRun = 30,
): void {
  // Stragglers first: their message names the pod that still answered.
  const final = expected[expected.length - 1];
  const from = final && final !== 'mixed' ? firstPureRun(records, final, minRun) : undefined;
  if (from !== undefined) {
    const stragglers = records.filter(
      (r) => !r.error && r.version && r.version !== final && r.startedAt >= from,
    );
    const first = stragglers[0];
    if (first) {
      throw new TrafficAssertionError(
        `${stragglers.length} answers from ${first.version} after ${final} took over at ${at(from)} (first at ${at(first.startedAt)}, pod ${first.pod ?? '?'})`,
      );
    }
  }
  const seen = phases(records, minRun);
  if (seen.join(' → ') !== expected.join(' → ')) {
    throw new TrafficAssertionError(
      `phases were ${seen.join(' → ') || '(none)'}, expected ${expected.join(' → ')}`,
    );
  }
}

/** The share of answers from `version` is within z binomial standard deviations of `expected`. */
export function assertShare(
  records: readonly RequestRecord[],
  version: string,
  expected: number,
  z = 4,
): void {
  const share = shareOf(records, version);
  const tolerance = binomialTolerance(expected, share.n, z);
  if (share.n === 0 || Math.abs(share.share - expected) > tolerance) {
    throw new TrafficAssertionError(
      `${version} answered ${share.count} of ${share.n} (${(share.share * 100).toFixed(1)} %), expected ${(expected * 100).toFixed(1)} % ± ${(tolerance * 100).toFixed(1)} % (z=${z})`,
    );
  }
}
