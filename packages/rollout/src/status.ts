import type { V1Deployment } from '@kubernetes/client-node';
import { ProgressDeadlineError } from './errors.js';
import type { Verdict } from './watch.js';

/**
 * kubectl rollout status, for one Deployment: done when the controller has seen the latest spec, every
 * replica is updated, no old replica is left, and every updated replica is available.
 */
export function rolloutVerdict(d: V1Deployment): Verdict<V1Deployment> {
  const name = d.metadata?.name ?? '?';
  const status = d.status ?? {};
  if ((d.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return { done: false, message: 'Waiting for deployment spec update to be observed...' };
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    const message = `deployment ${JSON.stringify(name)} exceeded its progress deadline`;
    return { done: false, message, error: new ProgressDeadlineError(message) };
  }
  const wanted = d.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const waiting = `Waiting for deployment ${JSON.stringify(name)} rollout to finish: `;
  if (updated < wanted) {
    return {
      done: false,
      message: `${waiting}${updated} out of ${wanted} new replicas have been updated...`,
    };
  }
  if (total > updated) {
    return { done: false, message: `${waiting}${total - updated} old replicas are pending termination...` };
  }
  if (available < updated) {
    return { done: false, message: `${waiting}${available} of ${updated} updated replicas are available...` };
  }
  return { done: true, value: d, message: `deployment ${JSON.stringify(name)} successfully rolled out` };
}
