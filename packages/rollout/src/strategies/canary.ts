// Canary by replica ratio: two Deployments behind one Service; the replica counts set the traffic share.
import type { V1Deployment } from '@kubernetes/client-node';
import type { Cluster } from '../api/client.js';
import { getDeployment } from '../api/read.js';
import {
  type DeploymentPatch,
  readUnchanged,
  type Seen,
  seen,
  type WriteOptions,
  writeIfUnchanged,
} from '../api/write.js';
import { InvalidInputError, RolloutError } from '../errors.js';
import { dryRunSuffix, kubectlPromote, kubectlScale } from '../print/kubectl.js';
import { CHANGE_CAUSE, images, type Target, withoutHash } from '../resources/objects.js';
import type { Outcome } from '../verbs/decision.js';
import { type WaitOptions, waitForRollout } from '../verbs/status.js';

/** A stable/canary pair of Deployments whose pods one Service selects together. */
export interface CanaryPair {
  namespace: string;
  stable: string;
  canary: string;
}

export interface Split {
  stable: number;
  canary: number;
  /** The canary share the replica counts give, in percent. */
  achieved: number;
}

export function checkWeight(weight: number): void {
  if (!Number.isFinite(weight) || weight < 0 || weight > 100) {
    throw new InvalidInputError(`canary weight must be between 0 and 100, got ${weight}`);
  }
}

/**
 * Replica counts for a canary weight with the total kept. The canary gets round(total × weight / 100)
 * replicas (halves round up); a weight strictly between 0 and 100 that rounds to none or all of them
 * cannot be expressed, and is refused rather than silently becoming 0 % or 100 %.
 */
export function splitReplicas(total: number, weight: number): Split {
  checkWeight(weight);
  if (!Number.isInteger(total) || total < 1)
    throw new InvalidInputError(`the pair has ${total} replicas; scale it up first`);
  const canary = Math.round((total * weight) / 100);
  if (weight > 0 && weight < 100 && (canary === 0 || canary === total)) {
    const steps = Array.from({ length: total + 1 }, (_, i) => `${Math.round((i / total) * 1000) / 10}`).join(
      ', ',
    );
    throw new InvalidInputError(
      `a ${weight} % canary cannot be expressed with ${total} replicas in total (possible: ${steps} %); scale the pair up first`,
    );
  }
  return { stable: total - canary, canary, achieved: (canary / total) * 100 };
}

const stableOf = (p: CanaryPair): Target => ({ namespace: p.namespace, name: p.stable });
const canaryOf = (p: CanaryPair): Target => ({ namespace: p.namespace, name: p.canary });

type Side = 'stable' | 'canary';

export interface SplitStep {
  side: Side;
  replicas: number;
}

/** The writes of a split, the side that grows first, so that serving capacity never dips. */
export function splitSteps(currentCanary: number, to: Pick<Split, 'stable' | 'canary'>): SplitStep[] {
  const canary: SplitStep = { side: 'canary', replicas: to.canary };
  const stable: SplitStep = { side: 'stable', replicas: to.stable };
  return to.canary >= currentCanary ? [canary, stable] : [stable, canary];
}

/** Both Deployments as read, with what the decision expects of each at its writes. */
interface PairRead {
  stable: V1Deployment;
  canary: V1Deployment;
  seen: Record<Side, Seen>;
  currentCanary: number;
  total: number;
}

export function checkPair(pair: CanaryPair): void {
  // One Deployment as both sides: its "abort" would scale it to total, then to 0 — an outage.
  if (pair.stable === pair.canary) {
    throw new InvalidInputError(
      `stable and canary must be two different Deployments, got ${JSON.stringify(pair.stable)} twice`,
    );
  }
}

async function readPair(cluster: Cluster, pair: CanaryPair): Promise<PairRead> {
  checkPair(pair);
  const [stable, canary] = await Promise.all([
    getDeployment(cluster, stableOf(pair)),
    getDeployment(cluster, canaryOf(pair)),
  ]);
  const currentCanary = canary.spec?.replicas ?? 0;
  return {
    stable,
    canary,
    seen: { stable: seen(stableOf(pair), stable), canary: seen(canaryOf(pair), canary) },
    currentCanary,
    total: (stable.spec?.replicas ?? 0) + currentCanary,
  };
}

export type CanaryOptions = WaitOptions & WriteOptions;

/**
 * Writes the split one side at a time, waiting between; before every write both Deployments must still
 * have the spec the split was decided from. A `scale` someone made meanwhile stops the split with a
 * ChangedMeanwhileError (their change kept, ours reported), instead of being overwritten.
 */
async function applySplit(
  cluster: Cluster,
  pair: CanaryPair,
  read: PairRead,
  to: Pick<Split, 'stable' | 'canary'>,
  options: CanaryOptions,
  rerun: string,
): Promise<void> {
  const expected = { ...read.seen };
  const target = { stable: stableOf(pair), canary: canaryOf(pair) };
  const done: string[] = [];
  for (const step of splitSteps(read.currentCanary, to)) {
    const other: Side = step.side === 'stable' ? 'canary' : 'stable';
    const why = () =>
      `the split stopped${done.length ? ` after ${done.join(', ')}` : ' before any write'}; their change is kept; \`${rerun}\` again decides from the new state`;
    await readUnchanged(cluster, expected[other], why());
    expected[step.side] = await writeIfUnchanged(
      cluster,
      expected[step.side],
      (d) =>
        d.spec?.replicas === step.replicas
          ? undefined
          : { type: 'strategic', body: { spec: { replicas: step.replicas } } },
      why(),
      options,
    );
    done.push(`${target[step.side].name} → ${step.replicas}`);
    if (!options.dryRun)
      await waitForRollout(cluster, target[step.side], { ...options, untilOldPodsGone: true });
  }
}

const scaleCommands = (pair: CanaryPair, to: Pick<Split, 'stable' | 'canary'>, currentCanary: number) =>
  splitSteps(currentCanary, to).map((s) =>
    kubectlScale(s.side === 'stable' ? stableOf(pair) : canaryOf(pair), s.replicas),
  );

/** Sets the canary's share of traffic as replica counts (kube-proxy picks endpoints at random). */
export async function setCanaryWeight(
  cluster: Cluster,
  pair: CanaryPair,
  weight: number,
  options: CanaryOptions = {},
): Promise<Outcome & Split> {
  checkPair(pair);
  checkWeight(weight);
  const read = await readPair(cluster, pair);
  const split = splitReplicas(read.total, weight);
  const kubectl = scaleCommands(pair, split, read.currentCanary);
  const message = `canary ${weight} %: ${pair.stable} ${split.stable}, ${pair.canary} ${split.canary} of ${read.total} replicas (${split.achieved.toFixed(1)} %, rounded to whole replicas)`;
  const unchanged = split.canary === read.currentCanary && (read.stable.spec?.replicas ?? 0) === split.stable;
  if (unchanged) return { changed: false, message, kubectl, ...split };
  await applySplit(
    cluster,
    pair,
    read,
    split,
    options,
    `rollout canary ${pair.stable} ${pair.canary} --weight ${weight}`,
  );
  return { ...result(message, options), kubectl, ...split };
}

const result = (message: string, options: WriteOptions) => ({
  changed: !options.dryRun,
  message: `${message}${dryRunSuffix(options.dryRun)}`,
  ...(options.dryRun ? { dryRun: options.dryRun } : {}),
});

/** Ends the canary: the stable Deployment takes every replica back, the canary goes to 0. */
export async function abortCanary(
  cluster: Cluster,
  pair: CanaryPair,
  options: CanaryOptions = {},
): Promise<Outcome & Split> {
  const read = await readPair(cluster, pair);
  const split = { stable: read.total, canary: 0, achieved: 0 };
  const kubectl = scaleCommands(pair, split, read.currentCanary);
  const message = `canary aborted: ${pair.stable} ${read.total}, ${pair.canary} 0`;
  if (read.currentCanary === 0) return { changed: false, message, kubectl, ...split };
  await applySplit(cluster, pair, read, split, options, `rollout abort ${pair.stable} ${pair.canary}`);
  return { ...result(message, options), kubectl, ...split };
}

/**
 * The stable Deployment's new spec when it takes the canary's pod template (keeping its own selector
 * labels, which the canary's template need not carry) and every replica.
 */
export function decidePromote(
  pair: CanaryPair,
  stable: V1Deployment,
  canary: V1Deployment,
  total: number,
): DeploymentPatch & { images: string } {
  if (total < 1)
    throw new RolloutError(`${pair.stable} and ${pair.canary} have no replicas; nothing to promote`);
  // Promoting a template no pod has served: nothing was proven (set a weight first and watch it).
  if ((canary.status?.readyReplicas ?? 0) < 1) {
    throw new RolloutError(
      `${pair.canary} has no ready pods; nothing to promote (rollout canary ${pair.stable} ${pair.canary} --weight P first)`,
    );
  }
  const imgs = Object.entries(images(canary.spec?.template))
    .map(([c, i]) => `${c}=${i}`)
    .join(' ');
  const cause = `promote canary ${imgs}`;
  const template = withoutHash(canary.spec?.template ?? {});
  template.metadata = template.metadata ?? {};
  template.metadata.labels = { ...template.metadata.labels, ...stable.spec?.selector?.matchLabels };
  return {
    type: 'json',
    ops: [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/spec/replicas', value: total },
      // A JSON patch cannot add a key under annotations that do not exist yet.
      stable.metadata?.annotations
        ? { op: 'add', path: `/metadata/annotations/${CHANGE_CAUSE.replace('/', '~1')}`, value: cause }
        : { op: 'add', path: '/metadata/annotations', value: { [CHANGE_CAUSE]: cause } },
    ],
    images: imgs,
  };
}

/**
 * Promotes the canary: the stable Deployment takes the canary's template and every replica in one
 * rolling update; then the canary goes to 0. Both writes are made only onto the specs decided from.
 */
export async function promoteCanary(
  cluster: Cluster,
  pair: CanaryPair,
  options: CanaryOptions = {},
): Promise<Outcome & Split> {
  const read = await readPair(cluster, pair);
  const { images: imgs, ...patch } = decidePromote(pair, read.stable, read.canary, read.total);
  const rerun = `\`rollout promote ${pair.stable} ${pair.canary}\` again decides from the new state`;
  await readUnchanged(cluster, read.seen.canary, `nothing was promoted; ${rerun}`);
  const stableAfter = await writeIfUnchanged(
    cluster,
    read.seen.stable,
    () => patch,
    `nothing was promoted; ${rerun}`,
    options,
  );
  if (!options.dryRun) await waitForRollout(cluster, stableOf(pair), { ...options, untilOldPodsGone: true });
  const why = `${pair.stable} runs the canary's template; ${pair.canary} was not scaled to 0; ${rerun}`;
  await readUnchanged(cluster, stableAfter, why);
  await writeIfUnchanged(
    cluster,
    read.seen.canary,
    (d) => (d.spec?.replicas === 0 ? undefined : { type: 'strategic', body: { spec: { replicas: 0 } } }),
    why,
    options,
  );
  if (!options.dryRun) await waitForRollout(cluster, canaryOf(pair), { ...options, untilOldPodsGone: true });
  return {
    ...result(
      `canary promoted: ${pair.stable} runs ${imgs} on ${read.total} replicas, ${pair.canary} 0`,
      options,
    ),
    kubectl: [kubectlPromote(stableOf(pair), pair.canary), kubectlScale(canaryOf(pair), 0)],
    stable: read.total,
    canary: 0,
    achieved: 100,
  };
}
