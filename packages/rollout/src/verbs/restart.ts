// `kubectl rollout restart`: a new template annotation makes a new revision with the same spec.
import type { V1Deployment } from '@kubernetes/client-node';
import type { Cluster } from '../api/client.js';
import type { WriteOptions } from '../api/write.js';
import { PausedError } from '../errors.js';
import { kubectlRestart } from '../print/kubectl.js';
import { describe, type Target } from '../resources/objects.js';
import { type Decision, type Outcome, runDecision } from './decision.js';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export function decideRestart(d: V1Deployment, target: Target, now: Date): Decision {
  if (d.spec?.paused)
    throw new PausedError(`can't restart paused ${describe(target)} (run rollout resume first)`);
  return {
    kind: 'patch',
    patch: {
      type: 'strategic',
      body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: now.toISOString() } } } } },
    },
    message: `deployment.apps/${target.name} restarted`,
  };
}

export function restart(
  cluster: Cluster,
  target: Target,
  now = new Date(),
  options: WriteOptions = {},
): Promise<Outcome> {
  return runDecision(cluster, target, (d) => decideRestart(d, target, now), kubectlRestart(target), options);
}
