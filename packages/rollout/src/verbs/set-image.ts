// `kubectl set image`, with the change-cause in the same write.
import type { V1Deployment } from '@kubernetes/client-node';
import type { Cluster } from '../api/client.js';
import type { WriteOptions } from '../api/write.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { kubectlSetImage } from '../print/kubectl.js';
import { checkImageReference } from '../resources/image-ref.js';
import { CHANGE_CAUSE, describe, images, type Target } from '../resources/objects.js';
import { type Decision, type Outcome, runDecision } from './decision.js';

export interface SetImageOptions extends WriteOptions {
  /** kubernetes.io/change-cause for the new revision; default names the images. */
  cause?: string;
}

/** `c1=i1 c2=i2`, as kubectl set image takes them. */
export const imageArgs = (wanted: Record<string, string>) =>
  Object.entries(wanted)
    .map(([c, i]) => `${c}=${i}`)
    .join(' ');

/**
 * Checks `wanted` against the template (at least one pair, valid references, containers that exist) and
 * says whether every container already runs its image. Shared by set-image, blue/green and verify.
 */
export function checkImageChange(d: V1Deployment, target: Target, wanted: Record<string, string>): boolean {
  const pairs = Object.entries(wanted);
  if (pairs.length === 0) throw new InvalidInputError('give at least one container=image');
  for (const [, image] of pairs) checkImageReference(image);
  const current = images(d.spec?.template);
  // Own properties only: a container called "constructor" is not on every object.
  const unknown = pairs.map(([c]) => c).filter((c) => !Object.hasOwn(current, c));
  if (unknown.length) {
    throw new NotFoundError(
      `container ${unknown.join(', ')} not found in ${describe(target)}; known: ${Object.keys(current).join(', ')}`,
    );
  }
  return pairs.every(([c, i]) => current[c] === i);
}

/**
 * The change-cause rides in the same patch as the images: sent on its own, the annotation would land on
 * the current revision and relabel it instead of describing the new one.
 */
export function decideSetImage(
  d: V1Deployment,
  target: Target,
  wanted: Record<string, string>,
  cause = `set image ${imageArgs(wanted)}`,
): Decision {
  if (checkImageChange(d, target, wanted)) {
    return { kind: 'noop', message: `${describe(target)} already runs ${imageArgs(wanted)}` };
  }
  return {
    kind: 'patch',
    patch: {
      type: 'strategic',
      body: {
        metadata: { annotations: { [CHANGE_CAUSE]: cause } },
        spec: {
          template: {
            spec: { containers: Object.entries(wanted).map(([name, image]) => ({ name, image })) },
          },
        },
      },
    },
    message: `deployment.apps/${target.name} image updated (${imageArgs(wanted)})`,
  };
}

export async function setImage(
  cluster: Cluster,
  target: Target,
  wanted: Record<string, string>,
  options: SetImageOptions = {},
): Promise<Outcome> {
  const cause = options.cause ?? `set image ${imageArgs(wanted)}`;
  // The decision refuses bad input after the read and before any write.
  return runDecision(
    cluster,
    target,
    (d) => decideSetImage(d, target, wanted, cause),
    kubectlSetImage(target, wanted, cause),
    options,
  );
}
