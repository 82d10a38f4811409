import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  checkImageReference,
  formatHistory,
  InvalidInputError,
  ProgressDeadlineError,
  parseImageArgs,
  type RevisionInfo,
  rolloutVerdict,
  splitReplicas,
} from '../src/index.js';
import { sameJson, withoutHash } from '../src/resources/objects.js';
import { podsStillServingOldRevision } from '../src/verbs/status.js';

const deployment = (spec: object, status: object, generation = 2): V1Deployment => ({
  metadata: { name: 'deploy-myapp', generation },
  spec: { replicas: 3, selector: {}, template: {}, ...spec },
  status: { observedGeneration: 2, ...status },
});

describe('rolloutVerdict (kubectl rollout status)', () => {
  it('waits for the controller to observe the new generation', () => {
    expect(rolloutVerdict(deployment({}, { observedGeneration: 1 })).message).toBe(
      'Waiting for deployment spec update to be observed...',
    );
  });
  it('walks through updated, old pending, available, done', () => {
    const steps = [
      { updatedReplicas: 1, replicas: 4, availableReplicas: 3 },
      { updatedReplicas: 3, replicas: 4, availableReplicas: 3 },
      { updatedReplicas: 3, replicas: 3, availableReplicas: 2 },
      { updatedReplicas: 3, replicas: 3, availableReplicas: 3 },
    ].map((status) => rolloutVerdict(deployment({}, status)));
    expect(steps.map((v) => v.message)).toEqual([
      'Waiting for deployment "deploy-myapp" rollout to finish: 1 out of 3 new replicas have been updated...',
      'Waiting for deployment "deploy-myapp" rollout to finish: 1 old replicas are pending termination...',
      'Waiting for deployment "deploy-myapp" rollout to finish: 2 of 3 updated replicas are available...',
      'deployment "deploy-myapp" successfully rolled out',
    ]);
    expect(steps.map((v) => v.done)).toEqual([false, false, false, true]);
  });
  it('turns ProgressDeadlineExceeded into a typed error', () => {
    const v = rolloutVerdict(
      deployment(
        {},
        { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] },
      ),
    );
    expect(v.error).toBeInstanceOf(ProgressDeadlineError);
    expect(v.error?.message).toBe('deployment "deploy-myapp" exceeded its progress deadline');
  });
});

describe('splitReplicas (canary weights)', () => {
  it('keeps the total and rounds to whole replicas', () => {
    expect(splitReplicas(4, 25)).toEqual({ stable: 3, canary: 1, achieved: 25 });
    expect(splitReplicas(4, 50)).toEqual({ stable: 2, canary: 2, achieved: 50 });
    expect(splitReplicas(4, 30)).toEqual({ stable: 3, canary: 1, achieved: 25 });
    expect(splitReplicas(4, 0)).toEqual({ stable: 4, canary: 0, achieved: 0 });
    expect(splitReplicas(4, 100)).toEqual({ stable: 0, canary: 4, achieved: 100 });
  });
  it('refuses weights outside 0-100 and weights the replicas cannot express', () => {
    expect(() => splitReplicas(4, 101)).toThrow(
      'canary weight must be a whole number from 0 to 100, got 101',
    );
    expect(() => splitReplicas(4, -1)).toThrow(InvalidInputError);
    expect(() => splitReplicas(4, Number.NaN)).toThrow(InvalidInputError);
    expect(() => splitReplicas(4, 10)).toThrow(
      'a 10 % canary cannot be expressed with 4 replicas in total (possible: 0, 25, 50, 75, 100 %)',
    );
    expect(() => splitReplicas(4, 95)).toThrow(InvalidInputError);
  });
});

describe('image references', () => {
  it('accepts what a registry accepts', () => {
    for (const ok of [
      'rollout-lab/myapp:v2.0',
      'nginx',
      'registry.k8s.io/pause:3.10.1',
      'localhost:5000/a/b:c',
      `x@sha256:${'a'.repeat(64)}`,
    ]) {
      expect(() => checkImageReference(ok)).not.toThrow();
    }
  });
  it('refuses malformed ones with a message that shows the form', () => {
    for (const bad of ['Rollout/MyApp', 'myapp:', 'my app', ':v1', 'a:b:c', 'x@sha256:short']) {
      expect(() => checkImageReference(bad)).toThrow(
        /malformed image reference .* expected \[registry\/\]name\[:tag\]/,
      );
    }
  });
  it('parses container=image arguments', () => {
    expect(parseImageArgs(['myapp=rollout-lab/myapp:v2.0'])).toEqual({ myapp: 'rollout-lab/myapp:v2.0' });
    expect(() => parseImageArgs(['rollout-lab/myapp:v2.0'])).toThrow(
      'expected CONTAINER=IMAGE, got "rollout-lab/myapp:v2.0"',
    );
  });
});

describe('formatHistory', () => {
  const row = (revision: number, changeCause?: string): RevisionInfo => ({
    revision,
    changeCause,
    replicaSet: `deploy-myapp-${revision}`,
    images: { myapp: `rollout-lab/myapp:v${revision}.0` },
    replicas: 0,
    current: false,
    template: {},
    annotations: {},
  });
  it('prints what kubectl rollout history prints', () => {
    expect(formatHistory('deploy-myapp', [row(2, 'v2'), row(13)])).toBe(
      'deployment.apps/deploy-myapp \nREVISION  CHANGE-CAUSE\n2         v2\n13        <none>',
    );
    expect(formatHistory('x', [])).toBe('No rollout history found.');
  });
});

describe('template comparison', () => {
  it('ignores the pod-template-hash label and key order', () => {
    const a = {
      metadata: { labels: { app: 'myapp', 'pod-template-hash': 'abc' } },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    };
    const b = { spec: { containers: [{ image: 'i', name: 'c' }] }, metadata: { labels: { app: 'myapp' } } };
    expect(sameJson(withoutHash(a), withoutHash(b))).toBe(true);
    expect(a.metadata.labels['pod-template-hash']).toBe('abc'); // not mutated
    expect(sameJson(withoutHash(a), { ...b, spec: { containers: [{ name: 'c', image: 'j' }] } })).toBe(false);
  });
});

describe('podsStillServingOldRevision (waitForRollout untilOldPodsGone)', () => {
  const pod = (name: string, hash: string, phase: string, deleting = false): V1Pod => ({
    metadata: {
      name,
      labels: { 'pod-template-hash': hash },
      ...(deleting ? { deletionTimestamp: new Date() } : {}),
    },
    status: { phase },
  });
  it('waits for old and terminating pods, not for pods that ended (a node shutdown leaves them Failed)', () => {
    const pods = [
      pod('new-running', 'new', 'Running'),
      pod('new-terminating', 'new', 'Running', true),
      pod('old-running', 'old', 'Running'),
      pod('old-pending', 'old', 'Pending'),
      pod('old-shut-down', 'old', 'Failed'),
      pod('old-completed', 'old', 'Succeeded'),
    ];
    expect(podsStillServingOldRevision(pods, 'new').map((p) => p.metadata?.name)).toEqual([
      'new-terminating',
      'old-running',
      'old-pending',
    ]);
  });
});
