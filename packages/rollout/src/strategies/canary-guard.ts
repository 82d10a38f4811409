// Canary analysis from the sampler's records: the error rate over a sliding window, abort when it is high.
import type { Sampler } from '@rollout-lab/traffic';
import type { Cluster } from '../api/client.js';
import type { WaitOptions } from '../verbs/status.js';
import { abortCanary, type CanaryPair } from './canary.js';

export interface CanaryGuardOptions {
  /** Judge the error rate over the last windowMs of requests; default 5000. */
  windowMs?: number;
  /** Abort when the failed share in the window exceeds this; default 0.05. */
  maxErrorRate?: number;
  /** …and the window holds at least this many requests; default 30. */
  minRequests?: number;
  /** Watch this long; default 60 s. */
  durationMs: number;
  wait?: WaitOptions;
}

export interface CanaryVerdict {
  aborted: boolean;
  /** Sampler time (ms) when the error rate crossed the threshold. */
  detectedAtMs?: number;
  /** Sampler time (ms) when the stable Deployment had every replica back and no canary pod was left. */
  recoveredAtMs?: number;
  errorRate?: number;
  message: string;
}

/**
 * Sampler-driven canary analysis: while traffic flows, the failed share of the last window is checked
 * four times a second; above the threshold the canary is aborted at once.
 */
export async function guardCanary(
  cluster: Cluster,
  pair: CanaryPair,
  sampler: Pick<Sampler, 'records' | 'elapsed'>,
  options: CanaryGuardOptions,
): Promise<CanaryVerdict> {
  const windowMs = options.windowMs ?? 5000;
  const maxErrorRate = options.maxErrorRate ?? 0.05;
  const minRequests = options.minRequests ?? 30;
  const until = sampler.elapsed() + options.durationMs;
  while (sampler.elapsed() < until) {
    const now = sampler.elapsed();
    const window = sampler.records.filter((r) => r.endedAt >= now - windowMs);
    const failed = window.filter((r) => r.error).length;
    const rate = window.length ? failed / window.length : 0;
    if (window.length >= minRequests && rate > maxErrorRate) {
      await abortCanary(cluster, pair, options.wait);
      return {
        aborted: true,
        detectedAtMs: now,
        recoveredAtMs: sampler.elapsed(),
        errorRate: rate,
        message: `canary aborted: ${failed} of ${window.length} requests failed in the last ${windowMs / 1000} s (${(rate * 100).toFixed(1)} % > ${(maxErrorRate * 100).toFixed(1)} %)`,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    aborted: false,
    message: `canary healthy for ${options.durationMs / 1000} s (error rate ≤ ${(maxErrorRate * 100).toFixed(1)} %)`,
  };
}
