// set-image --auto-undo: a release that stops progressing is rolled back without anyone watching.
import type { Cluster } from '../api/client.js';
import { ProgressDeadlineError, TimeoutError } from '../errors.js';
import type { Target } from '../resources/objects.js';
import type { Outcome } from '../verbs/decision.js';
import { type SetImageOptions, setImage } from '../verbs/set-image.js';
import { type WaitOptions, waitForRollout } from '../verbs/status.js';
import { undo } from '../verbs/undo.js';

export interface GuardedRollout {
  outcome: Outcome;
  /** True when the new release failed and the previous revision was restored. */
  rolledBack: boolean;
  /** Why it was rolled back (the progress-deadline message). */
  reason?: string;
  /** From the change to the failure being known. */
  detectedAfterMs?: number;
  /** From the change to the previous revision running again with no pod of the bad one left. */
  recoveredAfterMs?: number;
}

/**
 * Waits for the rollout; if it stops progressing (ProgressDeadlineExceeded, which needs
 * progressDeadlineSeconds on the Deployment) or times out, undoes to the previous revision and waits
 * for that.
 */
export async function setImageWithAutoUndo(
  cluster: Cluster,
  target: Target,
  wanted: Record<string, string>,
  options: SetImageOptions & WaitOptions = {},
): Promise<GuardedRollout> {
  const started = Date.now();
  const outcome = await setImage(cluster, target, wanted, options);
  if (options.dryRun) return { outcome, rolledBack: false };
  try {
    await waitForRollout(cluster, target, { ...options, untilOldPodsGone: true });
    return { outcome, rolledBack: false };
  } catch (error) {
    if (!(error instanceof ProgressDeadlineError || error instanceof TimeoutError)) throw error;
    const detectedAfterMs = Date.now() - started;
    options.onProgress?.(`${error.message}: rolling back`);
    await undo(cluster, target);
    await waitForRollout(cluster, target, { ...options, untilOldPodsGone: true });
    return {
      outcome,
      rolledBack: true,
      reason: error.message,
      detectedAfterMs,
      recoveredAfterMs: Date.now() - started,
    };
  }
}
