// rollout verify: one change to any Deployment, sampled from before it until the old pods are gone and
// a settle time after; the verdict is the traffic's (≥ N requests, 0 failed).
import type { V1Deployment } from '@kubernetes/client-node';
import { type RequestRecord, type SamplerProcess, sample, startSamplerProcess } from '@rollout-lab/traffic';
import type { Cluster } from '../api/client.js';
import { getDeployment } from '../api/read.js';
import { PausedError, RevisionNotFoundError, RolloutError } from '../errors.js';
import { describe, revisionOf, type Target } from '../resources/objects.js';
import type { Outcome } from '../verbs/decision.js';
import { findRevision, history } from '../verbs/history.js';
import { restart } from '../verbs/restart.js';
import { checkImageChange, setImage } from '../verbs/set-image.js';
import { waitForRollout } from '../verbs/status.js';
import { undo } from '../verbs/undo.js';

export type VerifyChange =
  | { kind: 'image'; images: Record<string, string>; cause?: string }
  | { kind: 'undo'; toRevision?: number }
  | { kind: 'restart' };

export interface VerifyOptions {
  /** An http:// URL that reaches the Deployment's pods (a NodePort, a port-forward, an ingress). */
  url: string;
  rate: number;
  minRequests: number;
  keepAlive?: boolean;
  /** For the rollout to finish, old pods gone. */
  timeoutMs: number;
  /** Sampling before the change: the baseline the chart starts with. */
  baselineMs?: number;
  /** Sampling after the old pods are gone: late failures (stale endpoints) still count. */
  settleMs?: number;
  /** Roll back (to the revision before the change) when the verdict is failed. */
  undoOnFailure?: boolean;
  onProgress?: (message: string) => void;
  /** Called once the change is written: from then on an interruption leaves it in the cluster. */
  onChanged?: (outcome: Outcome) => void;
}

export interface VerifyResult {
  records: RequestRecord[];
  /** ms since the sampler's zero: change, rollout complete, old pods gone, undo. */
  marks: Record<string, number>;
  change: Outcome;
  passed: boolean;
  /** Why it failed: failed requests, too few requests, or a rollout that did not complete. */
  reasons: string[];
  rolledBack?: Outcome;
}

/** Refuses what would fail half-way, before any traffic or change: paused, unknown container or revision. */
async function precheck(cluster: Cluster, target: Target, change: VerifyChange): Promise<V1Deployment> {
  const d = await getDeployment(cluster, target);
  if (d.spec?.paused) {
    throw new PausedError(
      `${describe(target)} is paused: a change would not roll out (rollout resume first)`,
    );
  }
  if (change.kind === 'image') {
    if (checkImageChange(d, target, change.images)) {
      throw new RolloutError(`nothing to verify: ${describe(target)} already runs these images`);
    }
  }
  if (change.kind === 'undo') {
    const rows = await history(cluster, target);
    const known = rows.map((r) => r.revision);
    if (change.toRevision && !findRevision(rows, change.toRevision)) {
      throw new RevisionNotFoundError(change.toRevision, known);
    }
    if (!change.toRevision && rows.length < 2) {
      throw new RolloutError(
        `no earlier revision to undo to for ${describe(target)}; known: ${known.join(', ') || 'none'}`,
      );
    }
  }
  return d;
}

/** One request before anything: a URL nobody answers well is refused, and nothing is changed. */
async function probe(url: string): Promise<void> {
  const [first] = (await sample({ url, rate: 1, maxRequests: 1, timeoutMs: 3000 })).records;
  if (!first) throw new RolloutError(`cannot reach ${url}: no request was made`);
  if (first.error) {
    throw new RolloutError(
      `${url} does not answer well before any change (${first.error}: ${first.detail ?? ''}); nothing was changed`,
    );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function applyChange(cluster: Cluster, target: Target, change: VerifyChange): Promise<Outcome> {
  if (change.kind === 'image') return setImage(cluster, target, change.images, { cause: change.cause });
  if (change.kind === 'undo') return undo(cluster, target, change.toRevision);
  return restart(cluster, target);
}

export async function verifyRollout(
  cluster: Cluster,
  target: Target,
  change: VerifyChange,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const progress = options.onProgress ?? (() => {});
  // The Deployment as the checks read it: nothing changes it before our own write.
  const before = await precheck(cluster, target, change);
  await probe(options.url);
  const revisionBefore = revisionOf(before) ?? 0;
  const sampler: SamplerProcess = startSamplerProcess({
    url: options.url,
    rate: options.rate,
    // Bounded: the rollout's timeout, the baseline, the settle time and the requests still owed.
    durationMs: Math.min(
      2 ** 31 - 1,
      options.timeoutMs +
        (options.baselineMs ?? 3000) +
        (options.settleMs ?? 5000) +
        (options.minRequests / options.rate) * 1000 +
        60_000,
    ),
    keepAlive: options.keepAlive ?? false,
    classifier: 'any',
  });
  await sampler.started;
  const marks: Record<string, number> = {};
  const mark = (name: string) => {
    marks[name] = sampler.elapsed();
  };
  const reasons: string[] = [];
  let outcome: Outcome | undefined;
  try {
    progress(
      `sampling ${options.url} at ${options.rate}/s; baseline ${(options.baselineMs ?? 3000) / 1000} s`,
    );
    await sleep(options.baselineMs ?? 3000);
    mark('change');
    outcome = await applyChange(cluster, target, change);
    if (!outcome.changed) throw new RolloutError(`nothing to verify: ${outcome.message}`);
    options.onChanged?.(outcome);
    progress(outcome.message);
    const started = Date.now();
    try {
      await waitForRollout(cluster, target, { timeoutMs: options.timeoutMs, onProgress: progress });
      mark('rollout complete');
      await waitForRollout(cluster, target, {
        timeoutMs: Math.max(1000, options.timeoutMs - (Date.now() - started)),
        untilOldPodsGone: true,
        onProgress: progress,
      });
      mark('old pods gone');
    } catch (error) {
      mark('gave up');
      reasons.push(`the rollout did not complete: ${(error as Error).message}`);
    }
    progress(`settling ${(options.settleMs ?? 5000) / 1000} s`);
    await sleep(options.settleMs ?? 5000);
    while (sampler.records.length < options.minRequests && reasons.length === 0) await sleep(200);
  } catch (error) {
    await sampler.stop();
    throw error;
  }
  const { records } = await sampler.stop();
  const failed = records.filter((r) => r.error);
  if (failed.length) reasons.push(`${failed.length} of ${records.length} requests failed`);
  if (records.length < options.minRequests) {
    reasons.push(`${records.length} requests, fewer than the ${options.minRequests} asked for`);
  }
  const result: VerifyResult = { records, marks, change: outcome, passed: reasons.length === 0, reasons };
  if (!result.passed && options.undoOnFailure) {
    progress(`undo to revision ${revisionBefore}`);
    result.rolledBack = await undo(cluster, target, revisionBefore || undefined);
    await waitForRollout(cluster, target, {
      timeoutMs: options.timeoutMs,
      untilOldPodsGone: true,
      onProgress: progress,
    });
  }
  return result;
}
