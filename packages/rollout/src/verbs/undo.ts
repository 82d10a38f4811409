// `kubectl rollout undo [--to-revision N]`: the chosen ReplicaSet's template (without its hash label) and
// annotations go back into the Deployment, which then rolls out as a new revision.
import type { V1Deployment } from '@kubernetes/client-node';
import type { Cluster } from '../api/client.js';
import type { WriteOptions } from '../api/write.js';
import { InvalidInputError, NotFoundError, PausedError, RevisionNotFoundError } from '../errors.js';
import { kubectlUndo } from '../print/kubectl.js';
import { describe, sameJson, type Target, withoutHash } from '../resources/objects.js';
import { type Decision, type Outcome, runDecision } from './decision.js';
import { findRevision, historyOf, type RevisionInfo } from './history.js';

// Kept from the Deployment, never copied from the ReplicaSet (kubectl's annotationsToSkip).
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export function checkRevision(toRevision: number | undefined): void {
  if (toRevision !== undefined && (!Number.isInteger(toRevision) || toRevision < 0)) {
    throw new InvalidInputError(`revision must be a whole number ≥ 0, got ${toRevision}`);
  }
}

/** The decision, and the revision it went back to (for messages and verify). */
export function decideUndo(
  d: V1Deployment,
  rows: readonly RevisionInfo[],
  target: Target,
  toRevision?: number,
): Decision & { revision: number } {
  checkRevision(toRevision);
  // Paused first, as kubectl's rollback does: a paused Deployment is refused whatever its history.
  if (d.spec?.paused) {
    throw new PausedError(
      `${describe(target)} is paused; resume it first (rollout resume ${target.name}) and try again`,
    );
  }
  const known = rows.map((r) => r.revision);
  let chosen: RevisionInfo | undefined;
  if (toRevision) {
    chosen = findRevision(rows, toRevision);
    if (!chosen) throw new RevisionNotFoundError(toRevision, known);
  } else {
    chosen = rows.length >= 2 ? rows[rows.length - 2] : undefined; // the second-highest revision
    if (!chosen) {
      throw new NotFoundError(
        `no rollout history to go back to for ${describe(target)}; known: ${known.join(', ') || 'none'}`,
      );
    }
  }
  const template = withoutHash(chosen.template);
  if (sameJson(template, withoutHash(d.spec?.template ?? {}))) {
    const renumbered =
      toRevision && toRevision !== chosen.revision ? `, now revision ${chosen.revision}` : '';
    return {
      kind: 'noop',
      message: `skipped rollback (current template already matches revision ${toRevision || chosen.revision}${renumbered})`,
      revision: chosen.revision,
    };
  }
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {}))
    if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(chosen.annotations))
    if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  return {
    kind: 'patch',
    patch: {
      type: 'json',
      ops: [
        { op: 'replace', path: '/spec/template', value: template },
        { op: 'replace', path: '/metadata/annotations', value: annotations },
      ],
    },
    message: `deployment.apps/${target.name} rolled back to revision ${chosen.revision}`,
    revision: chosen.revision,
  };
}

export async function undo(
  cluster: Cluster,
  target: Target,
  toRevision?: number,
  options: WriteOptions = {},
): Promise<Outcome & { revision?: number }> {
  checkRevision(toRevision);
  let revision: number | undefined;
  const outcome = await runDecision(
    cluster,
    target,
    (d, rows: RevisionInfo[]) => {
      const decision = decideUndo(d, rows, target, toRevision);
      revision = decision.revision;
      return decision;
    },
    kubectlUndo(target, toRevision),
    // Paused is refused before history is read (decideUndo would refuse it anyway).
    { ...options, extra: async (d) => (d.spec?.paused ? [] : historyOf(cluster, d)) },
  );
  return { ...outcome, revision };
}
