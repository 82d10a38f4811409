// Every single-Deployment verb is a pure decision over the object it read, run by one thin I/O step.
import type { V1Deployment } from '@kubernetes/client-node';
import type { Cluster } from '../api/client.js';
import { getDeployment } from '../api/read.js';
import {
  type DeploymentPatch,
  patchIfUnchanged,
  type WriteOptions,
  withConflictRetry,
} from '../api/write.js';
import { dryRunSuffix } from '../print/kubectl.js';
import { describe, type Target } from '../resources/objects.js';

/** What an operation did, and how to do the same with kubectl. */
export interface Outcome {
  changed: boolean;
  message: string;
  kubectl: string[];
  /** Set when nothing was written for real (kubectl's --dry-run). */
  dryRun?: 'client' | 'server';
}

/** What a verb decided: nothing to do, or one patch; a refusal is a thrown, typed error. */
export type Decision =
  | { kind: 'noop'; message: string }
  | { kind: 'patch'; patch: DeploymentPatch; message: string };

/**
 * Reads the Deployment, decides, and writes the decision onto the version read (a conflict reads and
 * decides again). `decide` never performs I/O; `extra` reads what else it needs (e.g. ReplicaSets).
 */
export async function runDecision<X = undefined>(
  cluster: Cluster,
  target: Target,
  decide: (d: V1Deployment, extra: X) => Decision,
  kubectl: string[],
  options: WriteOptions & { extra?: (d: V1Deployment) => Promise<X> } = {},
): Promise<Outcome> {
  return withConflictRetry(describe(target), async () => {
    const d = await getDeployment(cluster, target);
    const extra = options.extra ? await options.extra(d) : (undefined as X);
    const decision = decide(d, extra);
    if (decision.kind === 'noop') return { changed: false, message: decision.message, kubectl };
    await patchIfUnchanged(cluster, target, d, decision.patch, options);
    const dryRun = options.dryRun;
    return {
      changed: !dryRun,
      message: `${decision.message}${dryRunSuffix(dryRun)}`,
      kubectl,
      ...(dryRun ? { dryRun } : {}),
    };
  });
}
