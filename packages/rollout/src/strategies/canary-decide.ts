// A canary's decisions, from plain objects: the replica split, the order of its writes, whether a
// Service serves both sides, the promoted template. No I/O (canary.ts runs them).
import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import type { DeploymentPatch } from '../api/write.js';
import { InvalidInputError, RolloutError } from '../errors.js';
import { CHANGE_CAUSE, images, withoutHash } from '../resources/objects.js';

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
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
    throw new InvalidInputError(`canary weight must be a whole number from 0 to 100, got ${weight}`);
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

export type Side = 'stable' | 'canary';

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

export function checkPair(pair: CanaryPair): void {
  // One Deployment as both sides: its "abort" would scale it to total, then to 0 — an outage.
  if (pair.stable === pair.canary) {
    throw new InvalidInputError(
      `stable and canary must be two different Deployments, got ${JSON.stringify(pair.stable)} twice`,
    );
  }
}

/** The Services that send traffic to the pods of both Deployments (their selectors match both templates). */
export function servingBoth(
  services: readonly V1Service[],
  stable: V1Deployment,
  canary: V1Deployment,
): string[] {
  const selects = (selector: Record<string, string> | undefined, d: V1Deployment) => {
    const labels = d.spec?.template?.metadata?.labels ?? {};
    return (
      Object.keys(selector ?? {}).length > 0 &&
      Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v)
    );
  };
  return services
    .filter((s) => selects(s.spec?.selector, stable) && selects(s.spec?.selector, canary))
    .map((s) => s.metadata?.name ?? '');
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
