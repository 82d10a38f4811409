// Canary by replica ratio: two Deployments behind one Service; the replica counts set the traffic share.
import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { type Cluster, call } from '../api/client.js';
import { getDeployment } from '../api/read.js';
import { readUnchanged, type Seen, seen, type WriteOptions, writeIfUnchanged } from '../api/write.js';
import { InvalidInputError } from '../errors.js';
import { dryRunSuffix, kubectlPromote, kubectlScale } from '../print/kubectl.js';
import type { Target } from '../resources/objects.js';
import type { Outcome } from '../verbs/decision.js';
import { type WaitOptions, waitForRollout } from '../verbs/status.js';
import {
  type CanaryPair,
  checkPair,
  checkWeight,
  decidePromote,
  type Side,
  type Split,
  servingBoth,
  splitReplicas,
  splitSteps,
} from './canary-decide.js';

export {
  type CanaryPair,
  checkPair,
  checkWeight,
  decidePromote,
  type Split,
  type SplitStep,
  servingBoth,
  splitReplicas,
  splitSteps,
} from './canary-decide.js';

const stableOf = (p: CanaryPair): Target => ({ namespace: p.namespace, name: p.stable });
const canaryOf = (p: CanaryPair): Target => ({ namespace: p.namespace, name: p.canary });

/** Both Deployments as read, with what the decision expects of each at its writes. */
interface PairRead {
  stable: V1Deployment;
  canary: V1Deployment;
  seen: Record<Side, Seen>;
  services: V1Service[];
  currentCanary: number;
  total: number;
}

/** Replica ratios are a traffic share only behind one Service that selects both sides: checked before any write. */
function requireService(pair: CanaryPair, read: PairRead): void {
  if (servingBoth(read.services, read.stable, read.canary).length === 0) {
    throw new InvalidInputError(
      `no Service in namespace ${pair.namespace} selects the pods of both ${pair.stable} and ${pair.canary}; a canary split needs one (e.g. selector app: myapp)`,
    );
  }
}

async function readPair(cluster: Cluster, pair: CanaryPair, guard?: Seen['guard']): Promise<PairRead> {
  checkPair(pair);
  const [stable, canary, services] = await Promise.all([
    getDeployment(cluster, stableOf(pair)),
    getDeployment(cluster, canaryOf(pair)),
    call(cluster, `services in namespace ${pair.namespace}`, () =>
      cluster.core.listNamespacedService({ namespace: pair.namespace }),
    ),
  ]);
  guard?.(stable);
  const currentCanary = canary.spec?.replicas ?? 0;
  return {
    stable,
    canary,
    seen: { stable: seen(stableOf(pair), stable, guard), canary: seen(canaryOf(pair), canary) },
    services: services.items,
    currentCanary,
    total: (stable.spec?.replicas ?? 0) + currentCanary,
  };
}

export type CanaryOptions = WaitOptions &
  WriteOptions & {
    /** Checked on the stable Deployment at every read before a write (a plan runner's ownership). */
    guard?: Seen['guard'];
  };

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

/**
 * What a sequence of splits needs, checked before its first write (a plan's): the pair exists, one
 * Service selects both sides, and every weight can be expressed with the pair's replicas. Returns the
 * canary as read, for the caller's own checks.
 */
export async function checkSplits(
  cluster: Cluster,
  pair: CanaryPair,
  weights: readonly number[],
): Promise<V1Deployment> {
  const read = await readPair(cluster, pair);
  requireService(pair, read);
  for (const weight of weights) splitReplicas(read.total, weight);
  return read.canary;
}

/** Sets the canary's share of traffic as replica counts (kube-proxy picks endpoints at random). */
export async function setCanaryWeight(
  cluster: Cluster,
  pair: CanaryPair,
  weight: number,
  options: CanaryOptions = {},
): Promise<Outcome & Split> {
  checkWeight(weight);
  const read = await readPair(cluster, pair, options.guard);
  const split = splitReplicas(read.total, weight);
  const kubectl = scaleCommands(pair, split, read.currentCanary);
  const message = `canary ${weight} %: ${pair.stable} ${split.stable}, ${pair.canary} ${split.canary} of ${read.total} replicas (${split.achieved.toFixed(1)} %, rounded to whole replicas)`;
  const unchanged = split.canary === read.currentCanary && (read.stable.spec?.replicas ?? 0) === split.stable;
  if (unchanged) return { changed: false, message, kubectl, ...split };
  requireService(pair, read);
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
  const read = await readPair(cluster, pair, options.guard);
  const split = { stable: read.total, canary: 0, achieved: 0 };
  const kubectl = scaleCommands(pair, split, read.currentCanary);
  const message = `canary aborted: ${pair.stable} ${read.total}, ${pair.canary} 0`;
  if (read.currentCanary === 0) return { changed: false, message, kubectl, ...split };
  requireService(pair, read);
  await applySplit(cluster, pair, read, split, options, `rollout abort ${pair.stable} ${pair.canary}`);
  return { ...result(message, options), kubectl, ...split };
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
  const read = await readPair(cluster, pair, options.guard);
  const { images: imgs, ...patch } = decidePromote(pair, read.stable, read.canary, read.total);
  requireService(pair, read);
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
