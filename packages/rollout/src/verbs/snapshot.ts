// rollout get: where a rollout stands, as one snapshot of the Deployment, its ReplicaSets and its pods.
import type { V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { type Cluster, call } from '../api/client.js';
import { getDeployment, ownedReplicaSets } from '../api/read.js';
import { images, revisionOf, selectorString, type Target, TEMPLATE_HASH } from '../resources/objects.js';
import { rolloutVerdict } from './status.js';

export interface ReplicaSetRow {
  name: string;
  revision: number;
  images: string;
  desired: number;
  ready: number;
  current: boolean;
}

export interface PodRow {
  name: string;
  /** The revision of the ReplicaSet it belongs to, if still known. */
  revision?: number;
  ready: boolean;
  terminating: boolean;
  restarts: number;
  phase: string;
}

export interface Snapshot {
  name: string;
  namespace: string;
  revision: number;
  desired: number;
  updated: number;
  ready: number;
  available: number;
  paused: boolean;
  /** kubectl's verdict line ("Waiting for …", "successfully rolled out", "exceeded its progress deadline"). */
  status: string;
  /** Rolled out and no pod of an older revision left, Terminating ones included. */
  complete: boolean;
  failed: boolean;
  replicaSets: ReplicaSetRow[];
  pods: PodRow[];
}

/** The snapshot of plain objects: no I/O, so every state is a unit test. */
export function snapshotOf(d: V1Deployment, sets: readonly V1ReplicaSet[], pods: readonly V1Pod[]): Snapshot {
  const revision = revisionOf(d) ?? 0;
  const verdict = rolloutVerdict(d);
  const byHash = new Map(
    sets.map((rs) => [rs.metadata?.labels?.[TEMPLATE_HASH] ?? '', revisionOf(rs)] as const),
  );
  const currentHash = sets.find((rs) => revisionOf(rs) === revision)?.metadata?.labels?.[TEMPLATE_HASH];
  const podRows: PodRow[] = pods
    .filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    .map((p) => ({
      name: p.metadata?.name ?? '?',
      revision: byHash.get(p.metadata?.labels?.[TEMPLATE_HASH] ?? ''),
      ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
      terminating: Boolean(p.metadata?.deletionTimestamp),
      restarts: (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0),
      phase: p.status?.phase ?? 'Unknown',
    }))
    .sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0) || a.name.localeCompare(b.name));
  const oldLeft = podRows.some(
    (p) =>
      p.terminating || p.revision === undefined || (currentHash !== undefined && p.revision !== revision),
  );
  return {
    name: d.metadata?.name ?? '?',
    namespace: d.metadata?.namespace ?? '?',
    revision,
    desired: d.spec?.replicas ?? 1,
    updated: d.status?.updatedReplicas ?? 0,
    ready: d.status?.readyReplicas ?? 0,
    available: d.status?.availableReplicas ?? 0,
    paused: d.spec?.paused === true,
    status: verdict.message,
    complete: verdict.done && !oldLeft,
    failed: verdict.error !== undefined,
    replicaSets: sets
      .map((rs) => ({
        name: rs.metadata?.name ?? '?',
        revision: revisionOf(rs) ?? 0,
        images: Object.values(images(rs.spec?.template)).join(','),
        desired: rs.spec?.replicas ?? 0,
        ready: rs.status?.readyReplicas ?? 0,
        current: revisionOf(rs) === revision,
      }))
      .filter((rs) => rs.current || rs.desired > 0 || podRows.some((p) => p.revision === rs.revision))
      .sort((a, b) => b.revision - a.revision),
    pods: podRows,
  };
}

export async function snapshot(cluster: Cluster, target: Target): Promise<Snapshot> {
  const d = await getDeployment(cluster, target);
  const [sets, pods] = await Promise.all([
    ownedReplicaSets(cluster, d),
    call(cluster, `pods in namespace ${target.namespace}`, () =>
      cluster.core.listNamespacedPod({
        namespace: target.namespace,
        labelSelector: selectorString(d.spec?.selector),
      }),
    ),
  ]);
  return snapshotOf(d, sets, pods.items);
}

function table(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('   ')
      .trimEnd(),
  );
}

/** The snapshot as the live view prints it: a header, the ReplicaSets, the pods. */
export function formatSnapshot(s: Snapshot): string {
  const head = [
    `deployment ${s.name} (namespace ${s.namespace}), revision ${s.revision}${s.paused ? ', PAUSED' : ''}: ` +
      `${s.updated}/${s.desired} updated, ${s.ready} ready, ${s.available} available`,
    `  ${s.complete ? 'complete: rolled out, no old pods left' : s.status}`,
  ];
  const sets = table([
    ['  REVISION', 'REPLICASET', 'IMAGES', 'DESIRED', 'READY'],
    ...s.replicaSets.map((rs) => [
      `  ${rs.current ? '*' : ' '}${rs.revision}`,
      rs.name,
      rs.images,
      String(rs.desired),
      String(rs.ready),
    ]),
  ]);
  const pods = table([
    ['  POD', 'REVISION', 'READY', 'STATUS', 'RESTARTS'],
    ...s.pods.map((p) => [
      `  ${p.name}`,
      p.revision === undefined ? '?' : String(p.revision),
      p.ready ? 'yes' : 'no',
      p.terminating ? 'Terminating' : p.phase,
      String(p.restarts),
    ]),
  ]);
  return [...head, ...sets, ...pods].join('\n');
}
