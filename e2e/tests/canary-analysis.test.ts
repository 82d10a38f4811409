import { type CanaryPair, getDeployment, guardCanary, setImage } from '@rollout-lab/rollout';
import { binomialTolerance, formatErrors, summarize } from '@rollout-lab/traffic';
import { describe, expect, it } from 'vitest';
import { cluster, deploy, useNamespace } from '../support/cluster.js';
import { report, run, sleep } from '../support/traffic.js';

const RATE = 60;
const CANARY_SHARE = 0.25; // 1 of 4 replicas
const FAULT_RATE = 0.5; // rollout-lab/myapp:v2.1-flaky answers half of its requests with 500

describe('canary analysis aborts a faulty canary', () => {
  const k8s = cluster();
  let pair: CanaryPair;
  const ns = useNamespace('rl-analysis', async (namespace) => {
    pair = { namespace, stable: 'deploy-myapp', canary: 'deploy-myapp-canary' };
    await deploy(k8s, 'overlays/canary', namespace, [pair.stable, pair.canary]);
  });

  it('sees 5xx above 5 % over a 5 s window, aborts, and the errors users saw stay within the canary share', async () => {
    const traffic = await run({ url: ns.url(), rate: RATE });
    await sleep(2000);
    traffic.mark('flaky canary');
    await setImage(
      k8s,
      { namespace: ns.name, name: pair.canary },
      { myapp: 'rollout-lab/myapp:v2.1-flaky' },
      { cause: 'canary v2.1' },
    );
    const verdict = await guardCanary(k8s, pair, traffic.sampler, {
      windowMs: 5000,
      maxErrorRate: 0.05,
      minRequests: 30,
      durationMs: 120_000,
    });
    traffic.mark('recovered');
    await sleep(5000);
    const records = await traffic.finish(1000);

    const failures = records.filter((r) => r.error);
    const firstError = Math.min(...failures.map((r) => r.startedAt));
    const exposed = records.filter(
      (r) => r.startedAt >= firstError && r.startedAt <= (verdict.recoveredAtMs ?? 0),
    );
    const expected = exposed.length * CANARY_SHARE * FAULT_RATE;
    const bound = expected + 4 * Math.sqrt(expected) + 5;
    const afterRecovery = records.filter((r) => r.startedAt > (verdict.recoveredAtMs ?? 0) + 1000);
    await report(
      'canary analysis: faulty canary aborted',
      records,
      {
        verdict: verdict.message,
        'time to detect after first error (s)': ((verdict.detectedAtMs ?? 0) - firstError) / 1000,
        'time to recover after detection (s)':
          ((verdict.recoveredAtMs ?? 0) - (verdict.detectedAtMs ?? 0)) / 1000,
        'failed requests (users saw)': `${failures.length} (${formatErrors(summarize(failures).errors)}); bound ${bound.toFixed(0)} = share × fault rate × ${exposed.length} exposed + 4σ`,
      },
      { failuresInjected: true, marks: traffic.marks },
    );
    expect(verdict.aborted).toBe(true);
    expect(failures.length).toBeGreaterThan(0);
    expect(new Set(failures.map((r) => r.error))).toEqual(new Set(['http-5xx']));
    expect(failures.length).toBeLessThanOrEqual(bound);
    expect((verdict.detectedAtMs ?? 0) - firstError).toBeLessThan(5000 + 2000);
    expect(afterRecovery.length).toBeGreaterThan(200);
    expect(afterRecovery.filter((r) => r.error)).toHaveLength(0);
    expect(new Set(afterRecovery.map((r) => r.version))).toEqual(new Set(['v1']));
    expect((await getDeployment(k8s, { namespace: ns.name, name: pair.canary })).spec?.replicas).toBe(0);
    expect(binomialTolerance(CANARY_SHARE, exposed.length)).toBeGreaterThan(0);
  });
});
