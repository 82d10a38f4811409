// `kubectl rollout history`: one row per ReplicaSet the Deployment owns, by revision.
import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import type { Cluster } from '../api/client.js';
import { getDeployment, ownedReplicaSets } from '../api/read.js';
import { CHANGE_CAUSE, images, revisionOf, type Target } from '../resources/objects.js';

export interface RevisionInfo {
  revision: number;
  changeCause?: string;
  replicaSet: string;
  images: Record<string, string>;
  replicas: number;
  current: boolean;
  template: V1PodTemplateSpec;
  /** The ReplicaSet's annotations (undo copies them back). */
  annotations: Record<string, string>;
}

/** The rows, from the Deployment and the ReplicaSets it owns; a ReplicaSet without a revision is skipped. */
export function historyRows(d: V1Deployment, replicaSets: readonly V1ReplicaSet[]): RevisionInfo[] {
  const currentRevision = revisionOf(d);
  const rows: RevisionInfo[] = [];
  for (const rs of replicaSets) {
    const revision = revisionOf(rs);
    if (revision === undefined) continue;
    rows.push({
      revision,
      changeCause: rs.metadata?.annotations?.[CHANGE_CAUSE] || undefined,
      replicaSet: rs.metadata?.name ?? '',
      images: images(rs.spec?.template),
      replicas: rs.status?.replicas ?? 0,
      current: revision === currentRevision,
      template: rs.spec?.template ?? {},
      annotations: rs.metadata?.annotations ?? {},
    });
  }
  return rows.sort((a, b) => a.revision - b.revision);
}

export async function historyOf(cluster: Cluster, d: V1Deployment): Promise<RevisionInfo[]> {
  return historyRows(d, await ownedReplicaSets(cluster, d));
}

export async function history(cluster: Cluster, target: Target): Promise<RevisionInfo[]> {
  return historyOf(cluster, await getDeployment(cluster, target));
}

const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';

/**
 * A revision as undo finds it: by its number, or by a number it had before a rollback renumbered it (the
 * controller keeps those in revision-history, so asking again for the same revision finds it).
 */
export function findRevision(rows: readonly RevisionInfo[], revision: number): RevisionInfo | undefined {
  return (
    rows.find((r) => r.revision === revision) ??
    rows.find((r) => (r.annotations[REVISION_HISTORY] ?? '').split(',').includes(String(revision)))
  );
}
