import type { V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { RequestRecord } from '@rollout-lab/traffic';
import { describe, expect, it } from 'vitest';
import { recentMix } from '../src/cli/get.js';
import { formatSnapshot, snapshotOf } from '../src/index.js';

const REV = 'deployment.kubernetes.io/revision';
const deployment = (revision: number, status: object): V1Deployment => ({
  metadata: {
    name: 'deploy-myapp',
    namespace: 'demo',
    generation: 2,
    annotations: { [REV]: String(revision) },
  },
  spec: { replicas: 3, selector: { matchLabels: { app: 'myapp' } }, template: {} },
  status: { observedGeneration: 2, ...status },
});
const replicaSet = (
  revision: number,
  hash: string,
  image: string,
  replicas: number,
  ready: number,
): V1ReplicaSet => ({
  metadata: {
    name: `deploy-myapp-${hash}`,
    labels: { 'pod-template-hash': hash },
    annotations: { [REV]: String(revision) },
  },
  spec: { replicas, selector: {}, template: { spec: { containers: [{ name: 'myapp', image }] } } },
  status: { replicas, readyReplicas: ready },
});
const pod = (
  name: string,
  hash: string,
  ready: boolean,
  extra: Partial<{ terminating: boolean; restarts: number; phase: string }> = {},
): V1Pod => ({
  metadata: {
    name,
    labels: { 'pod-template-hash': hash },
    ...(extra.terminating ? { deletionTimestamp: new Date() } : {}),
  },
  status: {
    phase: extra.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [{ name: 'myapp', restartCount: extra.restarts ?? 0, ready, image: '', imageID: '' }],
  },
});

const v1 = replicaSet(1, 'aaa', 'rollout-lab/myapp:v1.0', 1, 1);
const v2 = replicaSet(2, 'bbb', 'rollout-lab/myapp:v2.0', 3, 2);

describe('rollout get: a snapshot of plain objects', () => {
  it('mid-rollout: both ReplicaSets, pods by revision, not complete', () => {
    const s = snapshotOf(
      deployment(2, { updatedReplicas: 3, replicas: 4, readyReplicas: 3, availableReplicas: 3 }),
      [v1, v2],
      [
        pod('p-old', 'aaa', true, { terminating: true }),
        pod('p-new-1', 'bbb', true),
        pod('p-new-2', 'bbb', true, { restarts: 2 }),
        pod('p-new-3', 'bbb', false),
        pod('p-done', 'bbb', false, { phase: 'Succeeded' }),
      ],
    );
    expect(s.complete).toBe(false);
    expect(s.status).toBe(
      'Waiting for deployment "deploy-myapp" rollout to finish: 1 old replicas are pending termination...',
    );
    expect(s.replicaSets.map((r) => [r.revision, r.current, r.desired, r.ready])).toEqual([
      [2, true, 3, 2],
      [1, false, 1, 1],
    ]);
    expect(s.pods.map((p) => [p.name, p.revision, p.ready, p.terminating, p.restarts])).toEqual([
      ['p-new-1', 2, true, false, 0],
      ['p-new-2', 2, true, false, 2],
      ['p-new-3', 2, false, false, 0],
      ['p-old', 1, true, true, 0],
    ]);
    expect(formatSnapshot(s)).toBe(
      [
        'deployment deploy-myapp (namespace demo), revision 2: 3/3 updated, 3 ready, 3 available',
        '  Waiting for deployment "deploy-myapp" rollout to finish: 1 old replicas are pending termination...',
        '  REVISION   REPLICASET         IMAGES                   DESIRED   READY',
        '  *2         deploy-myapp-bbb   rollout-lab/myapp:v2.0   3         2',
        '   1         deploy-myapp-aaa   rollout-lab/myapp:v1.0   1         1',
        '  POD       REVISION   READY   STATUS        RESTARTS',
        '  p-new-1   2          yes     Running       0',
        '  p-new-2   2          yes     Running       2',
        '  p-new-3   2          no      Running       0',
        '  p-old     1          yes     Terminating   0',
      ].join('\n'),
    );
  });

  it('complete only when rolled out and no old pod is left, Terminating ones included', () => {
    const done = deployment(2, { updatedReplicas: 3, replicas: 3, readyReplicas: 3, availableReplicas: 3 });
    const newPods = ['1', '2', '3'].map((n) => pod(`p-${n}`, 'bbb', true));
    const old = { ...v1, spec: { ...v1.spec, replicas: 0 }, status: { replicas: 0 } } as V1ReplicaSet;
    expect(
      snapshotOf(done, [old, v2], [...newPods, pod('p-old', 'aaa', false, { terminating: true })]).complete,
    ).toBe(false);
    const s = snapshotOf(done, [old, v2], newPods);
    expect(s.complete).toBe(true);
    // A scaled-down ReplicaSet without pods is history, not state: left out.
    expect(s.replicaSets.map((r) => r.revision)).toEqual([2]);
  });

  it('says when the progress deadline passed', () => {
    const stuck = deployment(2, {
      updatedReplicas: 1,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
    });
    const s = snapshotOf(stuck, [v1, v2], []);
    expect(s.failed).toBe(true);
    expect(s.status).toBe('deployment "deploy-myapp" exceeded its progress deadline');
  });
});

describe('rollout get --url: the live mix of the last 5 s', () => {
  const record = (startedAt: number, version?: string): RequestRecord => ({
    seq: startedAt,
    scheduledAt: startedAt,
    startedAt,
    endedAt: startedAt + 5,
    ...(version ? { version } : { error: 'refused' }),
  });
  it('counts only the window, failures included', () => {
    const records = [
      record(0, 'v1'),
      record(6000, 'v1'),
      record(7000, 'v2'),
      record(8000, 'v2'),
      record(9000),
    ];
    expect(recentMix(records, 10_000)).toBe('v1 25 %, v2 50 %; failed 1 of 4');
    expect(recentMix([], 10_000)).toBe('no requests yet');
  });
});
