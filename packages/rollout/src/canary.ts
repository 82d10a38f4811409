import type { Sampler } from '@rollout-lab/traffic';
import type { Cluster } from './client.js';
import {
  type Outcome,
  patchDeployment,
  resourceVersionPrecondition,
  scale,
  type WaitOptions,
  waitForRollout,
  withConflictRetry,
} from './deployment.js';
import { InvalidInputError, RolloutError } from './errors.js';
import { CHANGE_CAUSE, describe, getDeployment, images, type Target, withoutHash } from './objects.js';

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

/**
 * Replica counts for a canary weight with the total kept. The canary gets round(total × weight / 100)
 * replicas (halves round up); a weight strictly between 0 and 100 that rounds to none or all of them
 * cannot be expressed, and is refused rather than silently becoming 0 % or 100 %.
 */
export function splitReplicas(total: number, weight: number): Split {
  if (!Number.isFinite(weight) || weight < 0 || weight > 100) {
    throw new InvalidInputError(`canary weight must be between 0 and 100, got ${weight}`);
  }
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

async function totals(cluster: Cluster, pair: CanaryPair) {
  // One Deployment as both sides: its "abort" would scale it to total, then to 0 — an outage.
  if (pair.stable === pair.canary) {
    throw new InvalidInputError(
      `stable and canary must be two different Deployments, got ${JSON.stringify(pair.stable)} twice`,
    );
  }
  const [stable, canary] = await Promise.all([
    getDeployment(cluster, stableOf(pair)),
    getDeployment(cluster, canaryOf(pair)),
  ]);
  const c = canary.spec?.replicas ?? 0;
  return { canary, c, total: (stable.spec?.replicas ?? 0) + c };
}

/** Scales the side that grows first and waits for it, so that serving capacity never dips. */
async function applySplit(
  cluster: Cluster,
  pair: CanaryPair,
  currentCanary: number,
  to: Split,
  wait: WaitOptions,
) {
  const steps: Array<[Target, number]> =
    to.canary >= currentCanary
      ? [
          [canaryOf(pair), to.canary],
          [stableOf(pair), to.stable],
        ]
      : [
          [stableOf(pair), to.stable],
          [canaryOf(pair), to.canary],
        ];
  for (const [target, replicas] of steps) {
    await scale(cluster, target, replicas);
    await waitForRollout(cluster, target, wait);
  }
}

/** Sets the canary's share of traffic as replica counts (kube-proxy picks endpoints at random). */
export async function setCanaryWeight(
  cluster: Cluster,
  pair: CanaryPair,
  weight: number,
  wait: WaitOptions = {},
): Promise<Outcome & Split> {
  const { c, total } = await totals(cluster, pair);
  const split = splitReplicas(total, weight);
  const kubectl = [
    `kubectl scale deployment/${pair.canary} --replicas=${split.canary} -n ${pair.namespace}`,
    `kubectl scale deployment/${pair.stable} --replicas=${split.stable} -n ${pair.namespace}`,
  ];
  const message = `canary ${weight} %: ${pair.stable} ${split.stable}, ${pair.canary} ${split.canary} of ${total} replicas (${split.achieved.toFixed(1)} %, rounded to whole replicas)`;
  if (split.canary === c) return { changed: false, message, kubectl, ...split };
  await applySplit(cluster, pair, c, split, { ...wait, untilOldPodsGone: true });
  return { changed: true, message, kubectl, ...split };
}

/** Ends the canary: the stable Deployment takes every replica back, the canary goes to 0. */
export async function abortCanary(
  cluster: Cluster,
  pair: CanaryPair,
  wait: WaitOptions = {},
): Promise<Outcome & Split> {
  const { c, total } = await totals(cluster, pair);
  const split = { stable: total, canary: 0, achieved: 0 };
  await applySplit(cluster, pair, c, split, { ...wait, untilOldPodsGone: true });
  return {
    changed: c > 0,
    message: `canary aborted: ${pair.stable} ${total}, ${pair.canary} 0`,
    kubectl: [
      `kubectl scale deployment/${pair.stable} --replicas=${total} -n ${pair.namespace}`,
      `kubectl scale deployment/${pair.canary} --replicas=0 -n ${pair.namespace}`,
    ],
    ...split,
  };
}

/**
 * Promotes the canary: the stable Deployment takes the canary's pod template (keeping its own selector
 * labels) and every replica in one rolling update; then the canary goes to 0.
 */
export async function promoteCanary(
  cluster: Cluster,
  pair: CanaryPair,
  wait: WaitOptions = {},
): Promise<Outcome & Split> {
  const { canary, total } = await totals(cluster, pair);
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
  await withConflictRetry(describe(stableOf(pair)), async () => {
    const stable = await getDeployment(cluster, stableOf(pair));
    const template = withoutHash(canary.spec?.template ?? {});
    template.metadata = template.metadata ?? {};
    template.metadata.labels = { ...template.metadata.labels, ...stable.spec?.selector?.matchLabels };
    await patchDeployment(
      cluster,
      stableOf(pair),
      [
        resourceVersionPrecondition(stable),
        { op: 'replace', path: '/spec/template', value: template },
        { op: 'replace', path: '/spec/replicas', value: total },
        {
          op: 'add',
          path: `/metadata/annotations/${CHANGE_CAUSE.replace('/', '~1')}`,
          value: `promote canary ${imgs}`,
        },
      ],
      'json',
    );
  });
  await waitForRollout(cluster, stableOf(pair), { ...wait, untilOldPodsGone: true });
  await scale(cluster, canaryOf(pair), 0);
  await waitForRollout(cluster, canaryOf(pair), { ...wait, untilOldPodsGone: true });
  return {
    changed: true,
    message: `canary promoted: ${pair.stable} runs ${imgs} on ${total} replicas, ${pair.canary} 0`,
    kubectl: [
      `kubectl patch deployment/${pair.stable} -n ${pair.namespace} --type json -p '[{"op":"replace","path":"/spec/template","value":<template of ${pair.canary}>}]'`,
      `kubectl scale deployment/${pair.canary} --replicas=0 -n ${pair.namespace}`,
    ],
    stable: total,
    canary: 0,
    achieved: 100,
  };
}

export interface CanaryGuardOptions {
  /** Judge the error rate over the last windowMs of requests; default 5000. */
  windowMs?: number;
  /** Abort when the failed share in the window exceeds this; default 0.05. */
  maxErrorRate?: number;
  /** …and the window holds at least this many requests; default 30. */
  minRequests?: number;
  /** Watch this long; default 60 s. */
  durationMs: number;
  wait?: WaitOptions;
}

export interface CanaryVerdict {
  aborted: boolean;
  /** Sampler time (ms) when the error rate crossed the threshold. */
  detectedAtMs?: number;
  /** Sampler time (ms) when the stable Deployment had every replica back and no canary pod was left. */
  recoveredAtMs?: number;
  errorRate?: number;
  message: string;
}

/**
 * Sampler-driven canary analysis: while traffic flows, the failed share of the last window is checked
 * four times a second; above the threshold the canary is aborted at once.
 */
export async function guardCanary(
  cluster: Cluster,
  pair: CanaryPair,
  sampler: Pick<Sampler, 'records' | 'elapsed'>,
  options: CanaryGuardOptions,
): Promise<CanaryVerdict> {
  const windowMs = options.windowMs ?? 5000;
  const maxErrorRate = options.maxErrorRate ?? 0.05;
  const minRequests = options.minRequests ?? 30;
  const until = sampler.elapsed() + options.durationMs;
  while (sampler.elapsed() < until) {
    const now = sampler.elapsed();
    const window = sampler.records.filter((r) => r.endedAt >= now - windowMs);
    const failed = window.filter((r) => r.error).length;
    const rate = window.length ? failed / window.length : 0;
    if (window.length >= minRequests && rate > maxErrorRate) {
      await abortCanary(cluster, pair, options.wait);
      return {
        aborted: true,
        detectedAtMs: now,
        recoveredAtMs: sampler.elapsed(),
        errorRate: rate,
        message: `canary aborted: ${failed} of ${window.length} requests failed in the last ${windowMs / 1000} s (${(rate * 100).toFixed(1)} % > ${(maxErrorRate * 100).toFixed(1)} %)`,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    aborted: false,
    message: `canary healthy for ${options.durationMs / 1000} s (error rate ≤ ${(maxErrorRate * 100).toFixed(1)} %)`,
  };
}
