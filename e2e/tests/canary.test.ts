import {
  abortCanary,
  type CanaryPair,
  getDeployment,
  promoteCanary,
  setCanaryWeight,
} from '@rollout-lab/rollout';
import { assertNoErrors, assertShare, binomialTolerance, shareOf } from '@rollout-lab/traffic';
import { describe, expect, it } from 'vitest';
import { cluster, deploy, useNamespace } from '../support/cluster.js';
import { scenario } from '../support/scenarios.js';
import { report, run, sleep } from '../support/traffic.js';

const Z = 4; // shares must fall within 4 binomial standard deviations: a false alarm about 1 run in 16,000

// Seed "카나리 배포": v1 ×3 and v2 ×1 behind one Service; the replica ratio sets the share. The weight
// steps and the promotion run side by side, each on its own canary pair.
describe('canary (seed section on canary releases)', () => {
  const k8s = cluster();
  const pairIn = (namespace: string): CanaryPair => ({
    namespace,
    stable: 'deploy-myapp',
    canary: 'deploy-myapp-canary',
  });
  const setup = (namespace: string) =>
    deploy(k8s, 'overlays/canary', namespace, ['deploy-myapp', 'deploy-myapp-canary']);
  const weights = useNamespace('rl-canary', setup);
  const promotion = useNamespace('rl-canary-promote', setup);

  /** A window's start as a chart mark, named by its step ("25 %"); its end is not drawn. */
  const stepMarks = (marks: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(marks)
        .filter(([name]) => !name.endsWith(' to'))
        .map(([name, at]) => [name.replace(/ from$/, ''), at]),
    );

  /** A sampler with named steady windows: each starts once kube-proxy has caught up with the endpoints. */
  const sampled = async (url: string) => {
    const traffic = await run({ url, rate: 60 });
    const steady = async (name: string, ms: number) => {
      await sleep(1500);
      traffic.mark(`${name} from`);
      await sleep(ms);
      traffic.mark(`${name} to`);
    };
    return { traffic, steady };
  };

  scenario(
    'serves 25 %, then 50 % v2; abort goes back to all v1; 25 % again; not one failed request',
    async () => {
      const pair = pairIn(weights.name);
      const { traffic, steady } = await sampled(weights.url());
      await steady('25 %', 15_000);
      const fifty = await setCanaryWeight(k8s, pair, 50);
      expect(fifty).toMatchObject({ stable: 2, canary: 2, achieved: 50 });
      await steady('50 %', 15_000);
      const aborted = await abortCanary(k8s, pair);
      expect(aborted).toMatchObject({ stable: 4, canary: 0 });
      await steady('aborted', 5000);
      expect((await setCanaryWeight(k8s, pair, 25)).canary).toBe(1);
      await steady('25 % again', 5000);
      const records = await traffic.finish(1000);

      const share = (name: string, expected: number) => {
        const window = traffic.window(records, `${name} from`, `${name} to`);
        const s = shareOf(window, 'v2');
        return {
          window,
          line: `${(s.share * 100).toFixed(1)} % of ${s.n} (expected ${expected * 100} % ± ${(binomialTolerance(expected, s.n, Z) * 100).toFixed(1)} %)`,
        };
      };
      const at25 = share('25 %', 0.25);
      const at50 = share('50 %', 0.5);
      const again = share('25 % again', 0.25);
      const abortedWindow = traffic.window(records, 'aborted from', 'aborted to');
      await report(
        'canary 25-50-abort-25',
        records,
        {
          'v2 share at 25 %': at25.line,
          'v2 share at 50 %': at50.line,
          'after abort': JSON.stringify(shareOf(abortedWindow, 'v1')),
          'v2 share at 25 % again': again.line,
        },
        { marks: stepMarks(traffic.marks) },
      );
      assertNoErrors(records);
      assertShare(at25.window, 'v2', 0.25, Z);
      assertShare(at50.window, 'v2', 0.5, Z);
      expect(at25.window.length).toBeGreaterThan(700);
      expect(shareOf(abortedWindow, 'v1')).toMatchObject({ share: 1 });
      expect(abortedWindow.length).toBeGreaterThan(200);
      expect(again.window.length).toBeGreaterThan(200);
      expect(shareOf(again.window, 'v2').share).toBeGreaterThan(0);
    },
  );

  scenario('promotes a 25 % canary to all v2 with not one failed request', async () => {
    const pair = pairIn(promotion.name);
    const { traffic, steady } = await sampled(promotion.url());
    await steady('25 %', 5000);
    traffic.mark('promote');
    await promoteCanary(k8s, pair);
    const promoteMs = traffic.mark('promoted') - (traffic.marks.promote ?? 0);
    await steady('promoted', 5000);
    const records = await traffic.finish(1000);
    const before = traffic.window(records, '25 % from', '25 % to');
    const promotedWindow = traffic.window(records, 'promoted from', 'promoted to');
    await report(
      'canary promote',
      records,
      {
        'v2 share before': JSON.stringify(shareOf(before, 'v2')),
        'promote until old pods gone (s)': promoteMs / 1000,
        'after promote': JSON.stringify(shareOf(promotedWindow, 'v2')),
      },
      { marks: stepMarks(traffic.marks) },
    );
    assertNoErrors(records);
    expect(shareOf(before, 'v2').share).toBeGreaterThan(0);
    expect(shareOf(promotedWindow, 'v2')).toMatchObject({ share: 1 });
    expect(promotedWindow.length).toBeGreaterThan(200);
    const [stable, canary] = await Promise.all([
      getDeployment(k8s, { namespace: pair.namespace, name: pair.stable }),
      getDeployment(k8s, { namespace: pair.namespace, name: pair.canary }),
    ]);
    expect([stable.spec?.replicas, canary.spec?.replicas]).toEqual([4, 0]);
    expect(stable.spec?.template.spec?.containers[0]?.image).toBe('rollout-lab/myapp:v2.0');
    expect(stable.spec?.template.metadata?.labels).toMatchObject({ track: 'stable', version: 'v2' });
  });

  it('refuses a weight the replicas cannot express, and changes nothing', async () => {
    const pair = pairIn(weights.name);
    const before = (await getDeployment(k8s, { namespace: pair.namespace, name: pair.stable })).metadata
      ?.resourceVersion;
    await expect(setCanaryWeight(k8s, pair, 10)).rejects.toThrow(
      'a 10 % canary cannot be expressed with 4 replicas in total',
    );
    await expect(setCanaryWeight(k8s, pair, 150)).rejects.toThrow(
      'canary weight must be a whole number from 0 to 100, got 150',
    );
    expect(
      (await getDeployment(k8s, { namespace: pair.namespace, name: pair.stable })).metadata?.resourceVersion,
    ).toBe(before);
  });
});
