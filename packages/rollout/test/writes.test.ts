// The thin write steps: dry runs, conflict retries, and multi-object operations that never overwrite a
// change made while they waited. Against the in-memory API of fake-cluster.ts.
import { describe, expect, it } from 'vitest';
import { assertUnchanged, backoffDelays, DEFAULT_BACKOFF, withConflictRetry } from '../src/api/write.js';
import { ChangedMeanwhileError, ConflictError, InvalidInputError, RolloutError } from '../src/errors.js';
import { colorOf, switchColor } from '../src/strategies/bluegreen.js';
import {
  abortStaged,
  GATE,
  gateRefusal,
  judge,
  promoteStaged,
  stageColor,
  templateDigest,
} from '../src/strategies/bluegreen-preview.js';
import {
  abortCanary,
  decidePromote,
  promoteCanary,
  servingBoth,
  setCanaryWeight,
  splitSteps,
} from '../src/strategies/canary.js';
import { scale } from '../src/verbs/scale.js';
import { fakeCluster, fakeDeployment } from './fake-cluster.js';

const demo = (name: string) => ({ namespace: 'demo', name });
const pair = { namespace: 'demo', stable: 'stable', canary: 'canary' };

describe('conflict retry (client-go RetryOnConflict)', () => {
  it('waits 10, 50, 250, 1250 ms (+ up to 10 % jitter) between five attempts', () => {
    expect(backoffDelays(DEFAULT_BACKOFF, () => 0)).toEqual([10, 50, 250, 1250]);
    expect(backoffDelays(DEFAULT_BACKOFF, () => 1)).toEqual([11, 55, 275, 1375]);
  });
  it('retries a conflict, gives up after the last attempt, never retries a stale decision', async () => {
    const slept: number[] = [];
    const sleep = async (ms: number) => void slept.push(Math.round(ms));
    let calls = 0;
    const flaky = async () => {
      if (++calls < 3) throw new ConflictError('changed');
      return 'ok';
    };
    expect(await withConflictRetry('x', flaky, { ...DEFAULT_BACKOFF, jitter: 0 }, sleep)).toBe('ok');
    expect(slept).toEqual([10, 50]);
    await expect(
      withConflictRetry('x', async () => Promise.reject(new ConflictError('c')), DEFAULT_BACKOFF, sleep),
    ).rejects.toThrow('x: still conflicting after 5 attempts');
    calls = 0;
    await expect(
      withConflictRetry(
        'x',
        async () => {
          calls++;
          throw new ChangedMeanwhileError('stale');
        },
        DEFAULT_BACKOFF,
        sleep,
      ),
    ).rejects.toThrow(ChangedMeanwhileError);
    expect(calls).toBe(1);
  });
  it('a status-only change (resourceVersion, same generation) does not count as a change of spec', () => {
    const d = fakeDeployment('a', 1);
    expect(() => assertUnchanged(d, { target: demo('a'), generation: 1 }, 'why')).not.toThrow();
    expect(() => assertUnchanged(d, { target: demo('a'), generation: 0 }, 'why')).toThrow(
      'deployment a in namespace demo was changed by someone else meanwhile (generation 0 → 1); why',
    );
  });
});

describe('dry runs', () => {
  it('client sends nothing; server sends the write with dryRun=All and stores nothing', async () => {
    const fake = fakeCluster([fakeDeployment('web', 3)]);
    const client = await scale(fake.cluster, demo('web'), 5, { dryRun: 'client' });
    expect(client).toMatchObject({ changed: false, message: 'deployment.apps/web scaled to 5 (dry run)' });
    expect(fake.writes).toEqual([]);
    const server = await scale(fake.cluster, demo('web'), 5, { dryRun: 'server' });
    expect(server.message).toBe('deployment.apps/web scaled to 5 (server dry run)');
    expect(fake.writes.map((w) => w.dryRun)).toEqual(['All']);
    expect(fake.store.get('web')?.spec?.replicas).toBe(3);
  });
  it('a canary split dry run writes neither side', async () => {
    const fake = fakeCluster([fakeDeployment('stable', 4), fakeDeployment('canary', 0)]);
    const out = await setCanaryWeight(fake.cluster, pair, 25, { dryRun: 'server' });
    expect(out.message).toContain('(server dry run)');
    expect(fake.writes.map((w) => [w.name, w.dryRun])).toEqual([
      ['canary', 'All'],
      ['stable', 'All'],
    ]);
    expect([fake.store.get('stable')?.spec?.replicas, fake.store.get('canary')?.spec?.replicas]).toEqual([
      4, 0,
    ]);
  });
});

describe('single writes', () => {
  it('a write that meets a concurrent one reads again and decides again', async () => {
    const fake = fakeCluster([fakeDeployment('web', 3)]);
    let raced = false;
    const read = fake.cluster.apps.readNamespacedDeployment.bind(fake.cluster.apps);
    fake.cluster.apps.readNamespacedDeployment = (async (args: { name: string; namespace: string }) => {
      const d = await read(args);
      if (!raced) {
        raced = true;
        fake.change('web', { replicas: 4 }); // lands between our read and our write
      }
      return d;
    }) as typeof read;
    const out = await scale(fake.cluster, demo('web'), 4);
    // Decided again on the new state: 4 is already there, nothing to write.
    expect(out).toMatchObject({
      changed: false,
      message: 'deployment web in namespace demo already has 4 replicas',
    });
  });
});

describe('canary: multi-object writes onto the specs they decided from', () => {
  it('grows the canary first, then shrinks the stable side', async () => {
    expect(splitSteps(0, { stable: 3, canary: 1 })).toEqual([
      { side: 'canary', replicas: 1 },
      { side: 'stable', replicas: 3 },
    ]);
    expect(splitSteps(2, { stable: 4, canary: 0 })).toEqual([
      { side: 'stable', replicas: 4 },
      { side: 'canary', replicas: 0 },
    ]);
    const fake = fakeCluster([fakeDeployment('stable', 4), fakeDeployment('canary', 0)]);
    const out = await setCanaryWeight(fake.cluster, pair, 25);
    expect(out).toMatchObject({ changed: true, stable: 3, canary: 1, achieved: 25 });
    expect(fake.writes.map((w) => w.name)).toEqual(['canary', 'stable']);
  });
  it('a scale of the stable side made while the split waited is kept and reported, not overwritten', async () => {
    const fake = fakeCluster([fakeDeployment('stable', 4), fakeDeployment('canary', 0)]);
    fake.afterWrite = (name) => {
      if (name === 'canary') fake.change('stable', { replicas: 10 }); // someone scales during our wait
    };
    await expect(setCanaryWeight(fake.cluster, pair, 25)).rejects.toThrow(ChangedMeanwhileError);
    expect(fake.store.get('stable')?.spec?.replicas).toBe(10);
    expect(fake.writes.map((w) => w.name)).toEqual(['canary']);
  });
  it('the message says where the split stopped and how to go on', async () => {
    const fake = fakeCluster([fakeDeployment('stable', 4), fakeDeployment('canary', 0)]);
    fake.afterWrite = (name) => {
      if (name === 'canary') fake.change('stable', { replicas: 10 });
    };
    await expect(setCanaryWeight(fake.cluster, pair, 25)).rejects.toThrow(
      /deployment stable in namespace demo was changed by someone else meanwhile \(generation 1 → 2\); the split stopped after canary → 1; their change is kept; `rollout canary stable canary --weight 25` again decides from the new state/,
    );
  });
  it('abort and promote', async () => {
    const fake = fakeCluster([fakeDeployment('stable', 3), fakeDeployment('canary', 1, 'web:2')]);
    expect(await abortCanary(fake.cluster, pair)).toMatchObject({ stable: 4, canary: 0 });
    const promote = fakeCluster([fakeDeployment('stable', 3), fakeDeployment('canary', 1, 'web:2')]);
    expect((await promoteCanary(promote.cluster, pair)).message).toBe(
      'canary promoted: stable runs web=web:2 on 4 replicas, canary 0',
    );
    expect(promote.store.get('stable')?.spec?.template?.spec?.containers?.[0]?.image).toBe('web:2');
    // The stable side keeps its own selector labels on the canary's template.
    expect(promote.store.get('stable')?.spec?.template?.metadata?.labels).toEqual({
      app: 'web',
      track: 'stable',
    });
    expect(promote.store.get('canary')?.spec?.replicas).toBe(0);
  });
  it('a pair must be behind one Service that selects both sides: refused before any write', async () => {
    const stable = fakeDeployment('stable', 3);
    const canary = fakeDeployment('canary', 1);
    const svc = (selector: Record<string, string>) => ({ metadata: { name: 's' }, spec: { selector } });
    expect(servingBoth([svc({ app: 'web' }), svc({ app: 'web', track: 'stable' })], stable, canary)).toEqual([
      's',
    ]);
    expect(servingBoth([svc({ app: 'web', track: 'stable' }), svc({})], stable, canary)).toEqual([]);
    const fake = fakeCluster([stable, canary]);
    Object.assign(fake.cluster.core, {
      listNamespacedService: async () => ({ items: [svc({ track: 'canary' })] }),
    });
    await expect(setCanaryWeight(fake.cluster, pair, 50)).rejects.toThrow(
      'no Service in namespace demo selects the pods of both stable and canary; a canary split needs one',
    );
    await expect(abortCanary(fake.cluster, pair)).rejects.toThrow(InvalidInputError);
    expect(fake.writes).toEqual([]);
  });

  it('promote refuses a canary with no ready pod, and an empty pair', () => {
    const canary = fakeDeployment('canary', 1);
    expect(() => decidePromote(pair, fakeDeployment('stable', 3), canary, 4)).toThrow(
      'canary has no ready pods',
    );
    expect(() => decidePromote(pair, fakeDeployment('stable', 0), canary, 0)).toThrow(RolloutError);
  });
  it('a canary changed between the decision and the stable write is not promoted', async () => {
    const fake = fakeCluster([fakeDeployment('stable', 3), fakeDeployment('canary', 1, 'web:2')]);
    const read = fake.cluster.apps.readNamespacedDeployment.bind(fake.cluster.apps);
    let reads = 0;
    fake.cluster.apps.readNamespacedDeployment = (async (args: { name: string; namespace: string }) => {
      if (args.name === 'canary' && ++reads === 1) {
        const d = await read(args);
        fake.change('canary', { template: { spec: { containers: [{ name: 'web', image: 'web:3' }] } } });
        return d;
      }
      return read(args);
    }) as typeof read;
    await expect(promoteCanary(fake.cluster, pair)).rejects.toThrow(
      /canary in namespace demo was changed.*nothing was promoted/,
    );
    expect(fake.writes).toEqual([]);
  });
});

describe('blue/green', () => {
  const bg = { namespace: 'demo', service: 'svc', deploymentPrefix: 'app' };
  it('switches only a Service with a selector', () => {
    expect(colorOf({ spec: { selector: { color: 'blue' } } }, bg)).toBe('blue');
    expect(() => colorOf({ spec: {} }, bg)).toThrow(InvalidInputError);
  });
  it('a Service switched by someone else meanwhile is not switched again', async () => {
    const fake = fakeCluster([fakeDeployment('app-blue', 2), fakeDeployment('app-green', 0)]);
    const svc = { metadata: { resourceVersion: '1' }, spec: { selector: { app: 'x', color: 'blue' } } };
    let reads = 0;
    const patches: unknown[] = [];
    Object.assign(fake.cluster.core, {
      readNamespacedService: async () => {
        if (++reads === 2) svc.spec.selector.color = 'green'; // someone switched while green came up
        return structuredClone(svc);
      },
      patchNamespacedService: async (args: unknown) => void patches.push(args),
    });
    await expect(switchColor(fake.cluster, bg, 'green')).rejects.toThrow(
      'service svc in namespace demo was switched to green by someone else meanwhile',
    );
    expect(patches).toEqual([]);
  });
});

describe('blue/green preview: the gate', () => {
  const record = (pod: string, error?: string) =>
    ({
      seq: 0,
      startedAt: 0,
      endedAt: 1,
      latencyMs: 1,
      pod,
      version: error ? undefined : 'v2',
      ...(error ? { error } : {}),
    }) as never;
  it('an analysis passes only with ≥ 1 request per second of its window, 0 failed, and only the staged pods', () => {
    const analysis = { url: 'http://x/', durationMs: 2000, podPrefix: 'app-green-' };
    expect(judge([record('app-green-1'), record('app-green-2')], analysis)).toMatchObject({
      passed: true,
      requests: 2,
    });
    expect(judge([record('app-green-1')], analysis)).toMatchObject({ passed: false, requests: 1 });
    const mixed = judge([record('app-green-1'), record('app-blue-1')], analysis);
    expect(mixed).toMatchObject({ passed: false, failed: 1 });
    expect(mixed.summary).toContain('(1 answered by pods not of app-green)');
    expect(judge([record('app-green-1'), record('app-green-1', 'reset')], analysis).passed).toBe(false);
  });
  it('a staged colour is promotable only if its last check passed, on the template it judged', () => {
    const green = fakeDeployment('app-green', 3, 'web:2');
    const withGate = (result: string, template = templateDigest(green)) => ({
      ...green,
      metadata: {
        ...green.metadata,
        annotations: { [GATE]: JSON.stringify({ result, template, at: 'T', detail: '3 of 90 failed' }) },
      },
    });
    expect(gateRefusal(green)).toBe('app-green was staged without a pre-promotion analysis');
    expect(gateRefusal(withGate('unverified'))).toBe('app-green was staged without a pre-promotion analysis');
    expect(gateRefusal(withGate('failed'))).toBe(
      'app-green failed its pre-promotion analysis at T: 3 of 90 failed',
    );
    expect(gateRefusal(withGate('passed'))).toBeUndefined();
    expect(gateRefusal(withGate('passed', 'another'))).toBe(
      "app-green's pod template changed since its pre-promotion analysis (passed at T)",
    );
  });

  it('promote and abort refuse when nothing is staged', async () => {
    const fake = fakeCluster([fakeDeployment('app-blue', 2), fakeDeployment('app-green', 0)]);
    const selectors: Record<string, string> = { svc: 'blue', 'svc-preview': 'green' };
    Object.assign(fake.cluster.core, {
      readNamespacedService: async ({ name }: { name: string }) => ({
        metadata: { name, resourceVersion: '1' },
        spec: { selector: { color: selectors[name] } },
      }),
    });
    const bg = { namespace: 'demo', service: 'svc', deploymentPrefix: 'app' };
    await expect(promoteStaged(fake.cluster, bg)).rejects.toThrow(
      'nothing is staged: svc-preview selects green (0 replicas), svc selects blue',
    );
    selectors['svc-preview'] = 'blue';
    await expect(abortStaged(fake.cluster, bg)).rejects.toThrow(
      'nothing is staged: svc-preview selects blue, svc selects blue',
    );
    await expect(stageColor(fake.cluster, bg, 'blue')).rejects.toThrow('blue is already live on service svc');
    expect(fake.writes).toEqual([]);
  });
});
