import { activeColor, type BlueGreen, getDeployment, switchColor } from '@rollout-lab/rollout';
import { assertNoErrors, shareOf } from '@rollout-lab/traffic';
import { describe, expect, it } from 'vitest';
import { cluster, deploy, useNamespace } from '../support/cluster.js';
import { report, run, sleep } from '../support/traffic.js';

/**
 * How long kube-proxy may take to apply a new Service selector: its rules follow an endpoint change 1 s
 * or more later (minSyncPeriod), and on two busy cores `pnpm e2e` measured p99 6 s, the slowest 7 s.
 */
const PROXY_SYNC_MS = 8000;

describe('blue/green', () => {
  const k8s = cluster();
  let bg: BlueGreen;
  const ns = useNamespace('rl-bluegreen', async (namespace) => {
    bg = { namespace, service: 'svc-myapp', deploymentPrefix: 'deploy-myapp' };
    await deploy(k8s, 'overlays/blue-green', namespace, ['deploy-myapp-blue']);
  });

  it('brings green up unseen, switches all traffic to it at once, scales blue down after the delay', async () => {
    const traffic = await run({ url: ns.url(), rate: 50 });
    await sleep(2000);
    traffic.mark('green up');
    const outcome = await switchColor(k8s, bg, 'green', {
      scaleDownAfterMs: 5000,
      onSwitching: () => traffic.mark('switching'),
      onSwitched: () => traffic.mark('switch'),
    });
    traffic.mark('blue down');
    await sleep(2000);
    const records = await traffic.finish(1000);
    expect(outcome).toMatchObject({ changed: true, from: 'blue' });

    // Before the patch was sent, only blue: every request started until then must be v1.
    const before = traffic.window(records, 'start', 'switching');
    const switchAt = traffic.marks.switch ?? 0;
    const lastBlue = Math.max(...records.filter((r) => r.version === 'v1').map((r) => r.startedAt));
    const after = records.filter((r) => r.startedAt >= switchAt + PROXY_SYNC_MS);
    await report(
      'blue-green switch',
      records,
      {
        'green ready, Service on blue (requests)': before.length,
        'last v1 answer after the switch (s)': (lastBlue - switchAt) / 1000,
        'switch to blue scaled down (s)': ((traffic.marks['blue down'] ?? 0) - switchAt) / 1000,
      },
      { marks: traffic.marks },
    );
    assertNoErrors(records);
    expect(shareOf(before, 'v1')).toMatchObject({ share: 1 });
    expect(before.length).toBeGreaterThan(200);
    expect(lastBlue - switchAt).toBeLessThan(PROXY_SYNC_MS);
    expect(shareOf(after, 'v2')).toMatchObject({ share: 1 });
    expect(after.length).toBeGreaterThan(200);
    expect(await activeColor(k8s, bg)).toBe('green');
    const blue = await getDeployment(k8s, { namespace: ns.name, name: 'deploy-myapp-blue' });
    expect([blue.spec?.replicas, blue.status?.replicas ?? 0]).toEqual([0, 0]);
  });

  it('switches back to blue the same way, and refuses an unknown colour', async () => {
    await expect(switchColor(k8s, bg, 'purple')).rejects.toThrow(
      'colour must be blue or green, got "purple"',
    );
    const outcome = await switchColor(k8s, bg, 'blue');
    expect(outcome).toMatchObject({ changed: true, from: 'green' });
    expect(await activeColor(k8s, bg)).toBe('blue');
    expect((await switchColor(k8s, bg, 'blue')).message).toBe(
      `service svc-myapp in namespace ${ns.name} already selects blue`,
    );
  });
});
