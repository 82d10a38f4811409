// `kubectl scale`.
import type { V1Deployment } from '@kubernetes/client-node';
import type { Cluster } from '../api/client.js';
import type { WriteOptions } from '../api/write.js';
import { InvalidInputError } from '../errors.js';
import { kubectlScale } from '../print/kubectl.js';
import { describe, type Target } from '../resources/objects.js';
import { type Decision, type Outcome, runDecision } from './decision.js';

export function checkReplicas(replicas: number): void {
  if (!Number.isInteger(replicas) || replicas < 0)
    throw new InvalidInputError(`replicas must be a whole number ≥ 0, got ${replicas}`);
}

export function decideScale(d: V1Deployment, target: Target, replicas: number): Decision {
  checkReplicas(replicas);
  if (d.spec?.replicas === replicas) {
    return { kind: 'noop', message: `${describe(target)} already has ${replicas} replicas` };
  }
  return {
    kind: 'patch',
    patch: { type: 'strategic', body: { spec: { replicas } } },
    message: `deployment.apps/${target.name} scaled to ${replicas}`,
  };
}

export function scale(
  cluster: Cluster,
  target: Target,
  replicas: number,
  options: WriteOptions = {},
): Promise<Outcome> {
  checkReplicas(replicas);
  return runDecision(
    cluster,
    target,
    (d) => decideScale(d, target, replicas),
    [kubectlScale(target, replicas)],
    options,
  );
}
