// `kubectl rollout pause` / `resume`.
import type { V1Deployment } from '@kubernetes/client-node';
import type { Cluster } from '../api/client.js';
import type { WriteOptions } from '../api/write.js';
import { RolloutError } from '../errors.js';
import { kubectlPause } from '../print/kubectl.js';
import { describe, type Target } from '../resources/objects.js';
import { type Decision, type Outcome, runDecision } from './decision.js';

/** As kubectl does, pausing a paused Deployment (or resuming a running one) is an error, not a no-op. */
export function decidePause(d: V1Deployment, target: Target, paused: boolean): Decision {
  if (Boolean(d.spec?.paused) === paused) {
    throw new RolloutError(`${describe(target)} is ${paused ? 'already paused' : 'not paused'}`);
  }
  return {
    kind: 'patch',
    patch: { type: 'strategic', body: { spec: { paused } } },
    message: `deployment.apps/${target.name} ${paused ? 'paused' : 'resumed'}`,
  };
}

export function setPaused(
  cluster: Cluster,
  target: Target,
  paused: boolean,
  options: WriteOptions = {},
): Promise<Outcome> {
  return runDecision(
    cluster,
    target,
    (d) => decidePause(d, target, paused),
    kubectlPause(target, paused),
    options,
  );
}
