// A plan's analysis step: the error rate and p99 of a sampled window, and HTTP checks that the canary's
// own pods must answer with the expected status.
import {
  type RequestRecord,
  type SamplerProcess,
  startSamplerProcess,
  summarize,
} from '@rollout-lab/traffic';
import type { PlanAnalysis } from './plan-schema.js';

export interface AnalysisVerdict {
  passed: boolean;
  reasons: string[];
  summary: string;
}

/** Error rate and p99 over the window; each check must be answered by the canary's pods with its status. */
export function judgeAnalysis(
  analysis: PlanAnalysis,
  window: readonly RequestRecord[],
  checks: ReadonlyArray<{ check: PlanAnalysis['checks'][number]; records: readonly RequestRecord[] }>,
  canaryPrefix: string,
): AnalysisVerdict {
  const s = summarize(window);
  const errorRate = s.requests ? s.failed / s.requests : 1;
  const reasons: string[] = [];
  if (s.requests === 0) reasons.push('no requests answered');
  if (errorRate > analysis.maxErrorRate) {
    reasons.push(
      `error rate ${(errorRate * 100).toFixed(1)} % > ${(analysis.maxErrorRate * 100).toFixed(1)} % (${s.failed} of ${s.requests})`,
    );
  }
  if (analysis.maxP99Ms !== undefined && s.latencyMs.p99 > analysis.maxP99Ms) {
    reasons.push(`p99 ${s.latencyMs.p99.toFixed(0)} ms > ${analysis.maxP99Ms} ms`);
  }
  for (const { check, records } of checks) {
    const fromCanary = records.filter((r) => r.pod?.startsWith(canaryPrefix));
    const wrong = fromCanary.filter((r) => r.status !== check.status);
    if (fromCanary.length === 0) reasons.push(`${check.path}: no answer from the canary's pods`);
    else if (wrong.length)
      reasons.push(
        `${check.path}: ${wrong.length} of ${fromCanary.length} canary answers not ${check.status} (e.g. ${wrong[0]?.status ?? wrong[0]?.error})`,
      );
  }
  return {
    passed: reasons.length === 0,
    reasons,
    summary: `${s.requests} requests, ${s.failed} failed, p99 ${s.latencyMs.p99.toFixed(0)} ms, versions ${JSON.stringify(s.versions)}`,
  };
}

/**
 * The samplers run in processes of their own, scheduled first (see startSamplerProcess): on a busy machine a
 * sampler sharing the event loop with this process was itself late (a p99 of 1,048 ms on two cores in
 * CI, charged to a service that answered in milliseconds).
 */
export async function analyse(
  analysis: PlanAnalysis,
  durationMs: number,
  canaryPrefix: string,
  /** Polled every second; when it throws (the plan was ended by hand), the samplers stop and it rethrows. */
  watch?: () => Promise<void>,
): Promise<AnalysisVerdict> {
  const samplers: SamplerProcess[] = [];
  const sampled = (url: string, options: { rate: number; durationMs?: number; maxRequests?: number }) => {
    const sampler = startSamplerProcess({ url, ...options, classifier: 'any' });
    samplers.push(sampler);
    return sampler.done;
  };
  const window = sampled(analysis.url, { rate: analysis.rate, durationMs });
  const checks = analysis.checks.map(async (check) => ({
    check,
    records: (await sampled(new URL(check.path, analysis.url).href, { rate: 10, maxRequests: 30 })).records,
  }));
  const verdict = (async () =>
    judgeAnalysis(analysis, (await window).records, await Promise.all(checks), canaryPrefix))();
  if (!watch) return verdict;
  let over = false;
  const watching = (async () => {
    while (!over) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (!over) await watch();
    }
  })();
  try {
    return await Promise.race([verdict, watching.then(() => verdict)]);
  } catch (error) {
    await Promise.all(samplers.map((s) => s.stop().catch(() => undefined)));
    throw error;
  } finally {
    over = true;
  }
}
