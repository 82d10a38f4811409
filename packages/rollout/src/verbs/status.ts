// `kubectl rollout status`, watch-based, and the wait for the old pods to be gone.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { type Cluster, call } from '../api/client.js';
import { ownedReplicaSets } from '../api/read.js';
import { type Verdict, watchUntil } from '../api/watch.js';
import { NotFoundError, ProgressDeadlineError } from '../errors.js';
import { describe, revisionOf, selectorString, type Target, TEMPLATE_HASH } from '../resources/objects.js';

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

export interface WaitOptions {
  timeoutMs?: number;
  /** Also wait until no pod of an older ReplicaSet is left, Terminating ones included (kubectl ignores those, but they still answer requests). */
  untilOldPodsGone?: boolean;
  onProgress?: (message: string) => void;
}

/** `kubectl rollout status`, watch-based; ProgressDeadlineExceeded becomes ProgressDeadlineError. */
export async function waitForRollout(
  cluster: Cluster,
  target: Target,
  options: WaitOptions = {},
): Promise<V1Deployment> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const started = Date.now();
  const deployment = await watchUntil(cluster, {
    path: `/apis/apps/v1/namespaces/${target.namespace}/deployments`,
    fieldSelector: `metadata.name=${target.name}`,
    list: async () => {
      const list = await call(cluster, describe(target), () =>
        cluster.apps.listNamespacedDeployment({
          namespace: target.namespace,
          fieldSelector: `metadata.name=${target.name}`,
        }),
      );
      if (list.items.length === 0) throw new NotFoundError(`${describe(target)} not found`);
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion };
    },
    evaluate: (items) => {
      const d = items[0];
      return d ? rolloutVerdict(d) : { done: false, message: `${describe(target)} was deleted` };
    },
    timeoutMs,
    onProgress: options.onProgress,
  });
  if (options.untilOldPodsGone) {
    await waitForOldPodsGone(
      cluster,
      target,
      deployment,
      Math.max(1000, timeoutMs - (Date.now() - started)),
      options.onProgress,
    );
  }
  return deployment;
}

async function currentHash(cluster: Cluster, deployment: V1Deployment): Promise<string | undefined> {
  const revision = revisionOf(deployment);
  const sets = await ownedReplicaSets(cluster, deployment);
  const current = sets.find((rs) => revisionOf(rs) === revision);
  return current?.metadata?.labels?.[TEMPLATE_HASH];
}

/**
 * Pods that may still answer for an older revision: of another ReplicaSet, or terminating. A pod that
 * ended (Failed or Succeeded, e.g. stopped by a node shutdown) runs no container and is left in the API
 * by the kubelet for inspection, so it is not waited for.
 */
export function podsStillServingOldRevision(
  pods: readonly V1Pod[],
  currentHash: string | undefined,
): V1Pod[] {
  return pods.filter(
    (p) =>
      p.status?.phase !== 'Failed' &&
      p.status?.phase !== 'Succeeded' &&
      (p.metadata?.deletionTimestamp || p.metadata?.labels?.[TEMPLATE_HASH] !== currentHash),
  );
}

async function waitForOldPodsGone(
  cluster: Cluster,
  target: Target,
  deployment: V1Deployment,
  timeoutMs: number,
  onProgress?: (message: string) => void,
): Promise<void> {
  const hash = await currentHash(cluster, deployment);
  const labelSelector = selectorString(deployment.spec?.selector);
  await watchUntil<V1Pod, true>(cluster, {
    path: `/api/v1/namespaces/${target.namespace}/pods`,
    labelSelector,
    list: async () => {
      const list = await call(cluster, `pods of ${describe(target)}`, () =>
        cluster.core.listNamespacedPod({ namespace: target.namespace, labelSelector }),
      );
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion };
    },
    evaluate: (pods) => {
      const old = podsStillServingOldRevision(pods, hash);
      return old.length === 0
        ? {
            done: true,
            value: true,
            message: `no old pods of deployment ${JSON.stringify(target.name)} left`,
          }
        : {
            done: false,
            message: `Waiting for ${old.length} old pod(s) to terminate: ${old.map((p) => p.metadata?.name).join(', ')}`,
          };
    },
    timeoutMs,
    onProgress,
  });
}
