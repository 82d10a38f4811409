// Every verb's decision, from plain objects: no cluster, no client.
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { preconditioned } from '../src/api/write.js';
import {
  InvalidInputError,
  NotFoundError,
  PausedError,
  RevisionNotFoundError,
  RolloutError,
} from '../src/errors.js';
import { CHANGE_CAUSE } from '../src/resources/objects.js';
import { findRevision, historyRows } from '../src/verbs/history.js';
import { decidePause } from '../src/verbs/pause.js';
import { decideRestart, RESTARTED_AT } from '../src/verbs/restart.js';
import { decideScale } from '../src/verbs/scale.js';
import { decideSetImage } from '../src/verbs/set-image.js';
import { decideUndo } from '../src/verbs/undo.js';

const target = { namespace: 'demo', name: 'web' };

const template = (image: string, extra: Record<string, string> = {}) => ({
  metadata: { labels: { app: 'web', 'pod-template-hash': `h-${image}`, ...extra } },
  spec: { containers: [{ name: 'web', image }] },
});

const deployment = (
  spec: Partial<V1Deployment['spec']> = {},
  annotations: Record<string, string> = {},
): V1Deployment => ({
  metadata: {
    name: 'web',
    namespace: 'demo',
    uid: 'u1',
    resourceVersion: '41',
    generation: 7,
    annotations: { 'deployment.kubernetes.io/revision': '3', ...annotations },
  },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template('web:3'), ...spec },
});

const replicaSet = (
  revision: number,
  image: string,
  annotations: Record<string, string> = {},
): V1ReplicaSet => ({
  metadata: {
    name: `web-${revision}`,
    annotations: { 'deployment.kubernetes.io/revision': String(revision), ...annotations },
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u1', controller: true },
    ],
  },
  spec: { selector: { matchLabels: { app: 'web' } }, template: template(image) },
  status: { replicas: revision === 3 ? 3 : 0 },
});

const rows = historyRows(deployment(), [
  replicaSet(3, 'web:3', { [CHANGE_CAUSE]: 'set image web=web:3' }),
  replicaSet(1, 'web:1', { [CHANGE_CAUSE]: 'first' }),
  replicaSet(2, 'web:2', { 'deployment.kubernetes.io/revision-history': '' }),
  { metadata: { name: 'web-x' } }, // no revision: not a row
]);

describe('history rows', () => {
  it('one row per revision, sorted, the current one marked, change-causes kept', () => {
    expect(rows.map((r) => [r.revision, r.changeCause, r.current, r.images])).toEqual([
      [1, 'first', false, { web: 'web:1' }],
      [2, undefined, false, { web: 'web:2' }],
      [3, 'set image web=web:3', true, { web: 'web:3' }],
    ]);
  });
  it('finds a revision by a number a rollback renumbered away', () => {
    const renumbered = historyRows(deployment(), [
      replicaSet(5, 'web:1', { 'deployment.kubernetes.io/revision-history': '1,3' }),
    ]);
    expect(findRevision(renumbered, 3)?.revision).toBe(5);
    expect(findRevision(renumbered, 4)).toBeUndefined();
  });
});

describe('set-image', () => {
  it('patches the images and the change-cause in one strategic merge patch', () => {
    const decision = decideSetImage(deployment(), target, { web: 'web:4' });
    expect(decision).toEqual({
      kind: 'patch',
      message: 'deployment.apps/web image updated (web=web:4)',
      patch: {
        type: 'strategic',
        body: {
          metadata: { annotations: { [CHANGE_CAUSE]: 'set image web=web:4' } },
          spec: { template: { spec: { containers: [{ name: 'web', image: 'web:4' }] } } },
        },
      },
    });
  });
  it('does nothing when the images are already there', () => {
    expect(decideSetImage(deployment(), target, { web: 'web:3' }).kind).toBe('noop');
  });
  it('refuses unknown containers by own properties only, bad images, and an empty change', () => {
    expect(() => decideSetImage(deployment(), target, { constructor: 'x:1' })).toThrow(
      'container constructor not found in deployment web in namespace demo; known: web',
    );
    expect(() => decideSetImage(deployment(), target, { toString: 'x:1' })).toThrow(NotFoundError);
    expect(() => decideSetImage(deployment(), target, { web: 'Bad Image' })).toThrow(InvalidInputError);
    expect(() => decideSetImage(deployment(), target, {})).toThrow('give at least one container=image');
  });
});

describe('undo', () => {
  it('goes back to the second-highest revision: its template without the hash, its annotations', () => {
    const decision = decideUndo(
      deployment({}, { 'kubectl.kubernetes.io/last-applied-configuration': '{}' }),
      rows,
      target,
    );
    expect(decision.kind).toBe('patch');
    expect(decision.revision).toBe(2);
    if (decision.kind !== 'patch' || decision.patch.type !== 'json') throw new Error('a JSON patch');
    const [tmpl, annotations] = decision.patch.ops;
    expect(tmpl).toEqual({
      op: 'replace',
      path: '/spec/template',
      value: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'web:2' }] },
      },
    });
    // The Deployment's own bookkeeping stays; the ReplicaSet's revision-history is not copied back.
    expect(annotations?.value).toEqual({
      'deployment.kubernetes.io/revision': '3',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
    });
  });
  it('takes --to-revision, and says when the template already matches', () => {
    expect(decideUndo(deployment(), rows, target, 1).message).toBe(
      'deployment.apps/web rolled back to revision 1',
    );
    expect(decideUndo(deployment(), rows, target, 3)).toMatchObject({
      kind: 'noop',
      message: 'skipped rollback (current template already matches revision 3)',
    });
  });
  it('refuses a paused Deployment first, an unknown revision with the known ones, and no history', () => {
    expect(() => decideUndo(deployment({ paused: true }), [], target, 99)).toThrow(PausedError);
    expect(() => decideUndo(deployment(), rows, target, 7)).toThrow(new RevisionNotFoundError(7, [1, 2, 3]));
    expect(() => decideUndo(deployment(), rows, target, 7)).toThrow('revision 7 not found; known: 1, 2, 3');
    expect(() => decideUndo(deployment(), rows.slice(2), target)).toThrow('no rollout history to go back to');
    expect(() => decideUndo(deployment(), rows, target, 1.5)).toThrow(InvalidInputError);
  });
});

describe('pause, resume, restart, scale', () => {
  it('pause and resume flip spec.paused, and refuse to do it twice as kubectl does', () => {
    expect(decidePause(deployment(), target, true)).toMatchObject({
      kind: 'patch',
      patch: { type: 'strategic', body: { spec: { paused: true } } },
    });
    expect(() => decidePause(deployment({ paused: true }), target, true)).toThrow('is already paused');
    expect(() => decidePause(deployment(), target, false)).toThrow(RolloutError);
  });
  it('restart stamps the template; a paused Deployment is refused', () => {
    const at = new Date('2026-11-27T12:00:00Z');
    expect(decideRestart(deployment(), target, at)).toMatchObject({
      patch: {
        body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at.toISOString() } } } } },
      },
    });
    expect(() => decideRestart(deployment({ paused: true }), target, at)).toThrow(PausedError);
  });
  it('scale writes replicas, skips an equal count, refuses what is not a count', () => {
    expect(decideScale(deployment(), target, 5)).toMatchObject({
      patch: { body: { spec: { replicas: 5 } } },
    });
    expect(decideScale(deployment(), target, 3).kind).toBe('noop');
    for (const bad of [-1, 1.5, Number.NaN])
      expect(() => decideScale(deployment(), target, bad)).toThrow(InvalidInputError);
  });
});

describe('every write carries the read version', () => {
  it('in a strategic merge patch as metadata.resourceVersion, in a JSON patch as its first op', () => {
    const read = deployment();
    expect(preconditioned(read, { type: 'strategic', body: { spec: { replicas: 1 } } })).toEqual({
      metadata: { resourceVersion: '41' },
      spec: { replicas: 1 },
    });
    expect(
      preconditioned(read, { type: 'json', ops: [{ op: 'replace', path: '/spec/replicas', value: 1 }] }),
    ).toEqual([
      { op: 'replace', path: '/metadata/resourceVersion', value: '41' },
      { op: 'replace', path: '/spec/replicas', value: 1 },
    ]);
  });
});
