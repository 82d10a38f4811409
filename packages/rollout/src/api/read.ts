// Reads every verb shares: the Deployment (a missing namespace named as such) and its ReplicaSets.
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { NotFoundError } from '../errors.js';
import { describe, selectorString, type Target } from '../resources/objects.js';
import { type Cluster, call } from './client.js';

/** Reads a Deployment; a missing namespace is named as such. */
export async function getDeployment(cluster: Cluster, target: Target): Promise<V1Deployment> {
  try {
    return await call(cluster, describe(target), () => cluster.apps.readNamespacedDeployment(target));
  } catch (error) {
    if (error instanceof NotFoundError) {
      // Only a 404 means the namespace is missing; an identity without cluster-wide reads gets a 403.
      const missing = await cluster.core.readNamespace({ name: target.namespace }).then(
        () => false,
        (e: { code?: number }) => e.code === 404,
      );
      if (missing) throw new NotFoundError(`namespace ${target.namespace} not found`);
    }
    throw error;
  }
}

/** The ReplicaSets a Deployment owns (by controller reference, as kubectl does). */
export async function ownedReplicaSets(cluster: Cluster, deployment: V1Deployment): Promise<V1ReplicaSet[]> {
  const namespace = deployment.metadata?.namespace as string;
  const list = await call(cluster, `replicasets in namespace ${namespace}`, () =>
    cluster.apps.listNamespacedReplicaSet({
      namespace,
      labelSelector: selectorString(deployment.spec?.selector),
    }),
  );
  return list.items.filter((rs) =>
    rs.metadata?.ownerReferences?.some((o) => o.controller && o.uid === deployment.metadata?.uid),
  );
}
