import {
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1Pod,
  type V1PodTemplateSpec,
} from '@kubernetes/client-node';
import { type Cluster, call } from './client.js';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  PausedError,
  ProgressDeadlineError,
  RevisionNotFoundError,
  RolloutError,
  TimeoutError,
} from './errors.js';
import { checkImageReference } from './image-ref.js';
import {
  CHANGE_CAUSE,
  describe,
  getDeployment,
  images,
  ownedReplicaSets,
  revisionOf,
  sameJson,
  selectorString,
  type Target,
  TEMPLATE_HASH,
  withoutHash,
} from './objects.js';
import { rolloutVerdict } from './status.js';
import { watchUntil } from './watch.js';

/** What an operation did, and how to do the same with kubectl. */
export interface Outcome {
  changed: boolean;
  message: string;
  kubectl: string[];
}

const ns = (t: Target) => `-n ${t.namespace}`;
const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

/**
 * Reads, decides, writes with the read's resourceVersion as a precondition; on a conflict (someone
 * wrote in between) reads and decides again, a few times, then gives up with a ConflictError. A change
 * is never lost silently: either our write lands on the version we looked at, or we say so.
 */
export async function withConflictRetry<T>(
  what: string,
  attempt: () => Promise<T>,
  attempts = 5,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (i >= attempts) {
        throw new ConflictError(
          `${what}: still conflicting after ${attempts} attempts; another writer keeps changing it`,
        );
      }
    }
  }
}

/**
 * The first op of a JSON patch that must land on the version we read. A failed "test" op comes back as a
 * 422 with a generic message and no details, indistinguishable from a malformed patch; a replaced
 * resourceVersion that is no longer current is refused with a 409 Conflict, which withConflictRetry
 * retries.
 */
export function resourceVersionPrecondition(read: { metadata?: { resourceVersion?: string } }) {
  return { op: 'replace', path: '/metadata/resourceVersion', value: read.metadata?.resourceVersion };
}

export async function patchDeployment(
  cluster: Cluster,
  target: Target,
  body: object,
  strategy: 'strategic' | 'json',
) {
  return call(cluster, describe(target), () =>
    cluster.apps.patchNamespacedDeployment({ ...target, body }, strategy === 'json' ? jsonPatch : strategic),
  );
}

/** A strategic-merge patch that applies only to the version `read` came from; otherwise a ConflictError. */
function patchReadVersion(
  cluster: Cluster,
  target: Target,
  read: V1Deployment,
  body: { metadata?: Record<string, unknown>; spec: object },
) {
  const metadata = { ...body.metadata, resourceVersion: read.metadata?.resourceVersion };
  return patchDeployment(cluster, target, { ...body, metadata }, 'strategic');
}

export interface SetImageOptions {
  /** kubernetes.io/change-cause for the new revision; default names the images. */
  cause?: string;
}

/**
 * `kubectl set image`, with the change-cause in the same patch: sent on its own, the annotation would
 * land on the current revision and relabel it instead of describing the new one.
 */
export async function setImage(
  cluster: Cluster,
  target: Target,
  wanted: Record<string, string>,
  options: SetImageOptions = {},
): Promise<Outcome> {
  const pairs = Object.entries(wanted);
  if (pairs.length === 0) throw new InvalidInputError('give at least one container=image');
  for (const [, image] of pairs) checkImageReference(image);
  const args = pairs.map(([c, i]) => `${c}=${i}`).join(' ');
  const cause = options.cause ?? `set image ${args}`;
  const kubectl = [
    `kubectl patch deployment ${target.name} ${ns(target)} --type strategic -p ${quote(
      JSON.stringify({
        metadata: { annotations: { [CHANGE_CAUSE]: cause } },
        spec: { template: { spec: { containers: pairs.map(([name, image]) => ({ name, image })) } } },
      }),
    )}`,
    `# the seed's way, in two writes: kubectl set image deployment ${target.name} ${args} ${ns(target)} && kubectl annotate deployment ${target.name} ${CHANGE_CAUSE}=${quote(cause)} --overwrite ${ns(target)}`,
  ];
  return withConflictRetry(describe(target), async () => {
    const d = await getDeployment(cluster, target);
    const current = images(d.spec?.template);
    const unknown = pairs.map(([c]) => c).filter((c) => !Object.hasOwn(current, c));
    if (unknown.length) {
      throw new NotFoundError(
        `container ${unknown.join(', ')} not found in ${describe(target)}; known: ${Object.keys(current).join(', ')}`,
      );
    }
    if (pairs.every(([c, i]) => current[c] === i)) {
      return { changed: false, message: `${describe(target)} already runs ${args}`, kubectl };
    }
    await patchReadVersion(cluster, target, d, {
      metadata: { annotations: { [CHANGE_CAUSE]: cause } },
      spec: { template: { spec: { containers: pairs.map(([name, image]) => ({ name, image })) } } },
    });
    return { changed: true, message: `deployment.apps/${target.name} image updated (${args})`, kubectl };
  });
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

/** `kubectl rollout history`: one row per ReplicaSet the Deployment owns, by revision. */
export async function history(cluster: Cluster, target: Target): Promise<RevisionInfo[]> {
  return historyOf(cluster, await getDeployment(cluster, target));
}

async function historyOf(cluster: Cluster, d: V1Deployment): Promise<RevisionInfo[]> {
  const currentRevision = revisionOf(d);
  const rows: RevisionInfo[] = [];
  for (const rs of await ownedReplicaSets(cluster, d)) {
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

/** The table `kubectl rollout history deployment/NAME` prints (tabwriter: 2 spaces of padding). */
export function formatHistory(name: string, rows: RevisionInfo[], wide = false): string {
  if (rows.length === 0) return 'No rollout history found.';
  const table = [
    wide ? ['REVISION', 'CHANGE-CAUSE', 'REPLICASET', 'IMAGES', 'REPLICAS'] : ['REVISION', 'CHANGE-CAUSE'],
    ...rows.map((r) => {
      const base = [String(r.revision), r.changeCause ?? '<none>'];
      if (!wide) return base;
      const imgs = Object.entries(r.images)
        .map(([c, i]) => `${c}=${i}`)
        .join(',');
      return [...base, r.replicaSet, imgs, `${r.replicas}${r.current ? ' (current)' : ''}`];
    }),
  ];
  const widths = table[0]?.map((_, col) => Math.max(...table.map((row) => row[col]?.length ?? 0)) + 2) ?? [];
  const lines = table.map((row) =>
    row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join(''),
  );
  return [`deployment.apps/${name} `, ...lines].join('\n');
}

const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';

// Kept from the Deployment, never copied from the ReplicaSet (kubectl's annotationsToSkip).
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/**
 * `kubectl rollout undo [--to-revision N]`: the chosen ReplicaSet's template (without its hash label)
 * and annotations go back into the Deployment, which then rolls out as a new revision.
 */
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

export async function undo(
  cluster: Cluster,
  target: Target,
  toRevision?: number,
): Promise<Outcome & { revision?: number }> {
  if (toRevision !== undefined && (!Number.isInteger(toRevision) || toRevision < 0)) {
    throw new InvalidInputError(`revision must be a whole number ≥ 0, got ${toRevision}`);
  }
  const kubectl = [
    `kubectl rollout undo deployment/${target.name}${toRevision ? ` --to-revision=${toRevision}` : ''} ${ns(target)}`,
  ];
  return withConflictRetry(describe(target), async () => {
    const d = await getDeployment(cluster, target);
    // Paused first, as kubectl's rollback does: a paused Deployment is refused whatever its history.
    if (d.spec?.paused) {
      throw new PausedError(
        `${describe(target)} is paused; resume it first (rollout resume ${target.name}) and try again`,
      );
    }
    const rows = await historyOf(cluster, d);
    const known = rows.map((r) => r.revision);
    let chosen: RevisionInfo | undefined;
    if (toRevision) {
      // A revision rolled back to is renumbered; the controller keeps its old numbers in revision-history,
      // so asking again for the same revision finds it (and says there is nothing to do).
      chosen = findRevision(rows, toRevision);
      if (!chosen) throw new RevisionNotFoundError(toRevision, known);
    } else {
      chosen = rows.length >= 2 ? rows[rows.length - 2] : undefined; // the second-highest revision
      if (!chosen)
        throw new NotFoundError(
          `no rollout history to go back to for ${describe(target)}; known: ${known.join(', ') || 'none'}`,
        );
    }
    const template = withoutHash(chosen.template);
    if (sameJson(template, withoutHash(d.spec?.template ?? {}))) {
      const renumbered =
        toRevision && toRevision !== chosen.revision ? `, now revision ${chosen.revision}` : '';
      return {
        changed: false,
        message: `skipped rollback (current template already matches revision ${toRevision || chosen.revision}${renumbered})`,
        kubectl,
        revision: chosen.revision,
      };
    }
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.metadata?.annotations ?? {}))
      if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
    for (const [k, v] of Object.entries(chosen.annotations))
      if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
    await patchDeployment(
      cluster,
      target,
      [
        resourceVersionPrecondition(d),
        { op: 'replace', path: '/spec/template', value: template },
        { op: 'replace', path: '/metadata/annotations', value: annotations },
      ],
      'json',
    );
    return {
      changed: true,
      message: `deployment.apps/${target.name} rolled back to revision ${chosen.revision}`,
      kubectl,
      revision: chosen.revision,
    };
  });
}

/** `kubectl rollout pause` / `resume`. */
export async function setPaused(cluster: Cluster, target: Target, paused: boolean): Promise<Outcome> {
  const verb = paused ? 'pause' : 'resume';
  const kubectl = [`kubectl rollout ${verb} deployment/${target.name} ${ns(target)}`];
  return withConflictRetry(describe(target), async () => {
    const d = await getDeployment(cluster, target);
    if (Boolean(d.spec?.paused) === paused) {
      throw new RolloutError(`${describe(target)} is ${paused ? 'already paused' : 'not paused'}`);
    }
    await patchReadVersion(cluster, target, d, { spec: { paused } });
    return {
      changed: true,
      message: `deployment.apps/${target.name} ${paused ? 'paused' : 'resumed'}`,
      kubectl,
    };
  });
}

/** `kubectl rollout restart`: a new template annotation makes a new revision with the same spec. */
export async function restart(cluster: Cluster, target: Target, now = new Date()): Promise<Outcome> {
  const kubectl = [`kubectl rollout restart deployment/${target.name} ${ns(target)}`];
  return withConflictRetry(describe(target), async () => {
    const d = await getDeployment(cluster, target);
    if (d.spec?.paused)
      throw new PausedError(`can't restart paused ${describe(target)} (run rollout resume first)`);
    await patchReadVersion(cluster, target, d, {
      spec: {
        template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': now.toISOString() } } },
      },
    });
    return { changed: true, message: `deployment.apps/${target.name} restarted`, kubectl };
  });
}

/** `kubectl scale`. */
export async function scale(cluster: Cluster, target: Target, replicas: number): Promise<Outcome> {
  if (!Number.isInteger(replicas) || replicas < 0)
    throw new InvalidInputError(`replicas must be a whole number ≥ 0, got ${replicas}`);
  const kubectl = [`kubectl scale deployment/${target.name} --replicas=${replicas} ${ns(target)}`];
  return withConflictRetry(describe(target), async () => {
    const d = await getDeployment(cluster, target);
    if (d.spec?.replicas === replicas)
      return { changed: false, message: `${describe(target)} already has ${replicas} replicas`, kubectl };
    await patchReadVersion(cluster, target, d, { spec: { replicas } });
    return { changed: true, message: `deployment.apps/${target.name} scaled to ${replicas}`, kubectl };
  });
}

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
 * set-image with --auto-undo: wait for the rollout; if it stops progressing (ProgressDeadlineExceeded,
 * which needs progressDeadlineSeconds on the Deployment) or times out, undo to the previous revision and
 * wait for that.
 */
export async function setImageWithAutoUndo(
  cluster: Cluster,
  target: Target,
  wanted: Record<string, string>,
  options: SetImageOptions & WaitOptions = {},
): Promise<GuardedRollout> {
  const started = Date.now();
  const outcome = await setImage(cluster, target, wanted, options);
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
