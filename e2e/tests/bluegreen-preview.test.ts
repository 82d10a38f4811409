import { activeColor, type BlueGreen, getDeployment, promoteStaged } from '@rollout-lab/rollout';
import { assertNoErrors, shareOf } from '@rollout-lab/traffic';
import { describe, expect, it } from 'vitest';
import {
  cluster,
  deploy,
  expectSuccess,
  resourceVersion,
  rolloutCli,
  useNamespace,
} from '../support/cluster.js';
import { report, run, sleep } from '../support/traffic.js';

/** kube-proxy's lag after a selector change, as in bluegreen.test.ts (p99 6 s measured, slowest 7 s). */
const PROXY_SYNC_MS = 8000;

// Issue 13: blue/green with a manual gate. Green is staged behind svc-myapp-preview (a NodePort of its
// own) and checked there while every user still gets blue; promotion is a separate, later step.
describe('blue/green with a preview Service and a manual gate', () => {
  const k8s = cluster();
  let bg: BlueGreen;
  const ns = useNamespace('rl-preview', async (namespace) => {
    bg = { namespace, service: 'svc-myapp', deploymentPrefix: 'deploy-myapp' };
    await deploy(k8s, 'overlays/blue-green', namespace, ['deploy-myapp-blue']);
  });

  it('stages green: the preview serves only v2 while the live URL serves only v1; promotion with 0 failed', async () => {
    const live = await run({ url: ns.url(), rate: 40 });
    await sleep(1000);
    live.mark('stage');
    const preview = ns.urlOf('svc-myapp-preview');
    const staged = await rolloutCli([
      'switch',
      'green',
      '--no-promote',
      '--preview-url',
      preview,
      '--analysis',
      '8s',
      '-n',
      ns.name,
    ]);
    expectSuccess(staged);
    expect(staged.stdout).toMatch(
      /^green staged: deploy-myapp-green 3 ready behind svc-myapp-preview; service svc-myapp in namespace \S+ still selects blue; pre-promotion analysis passed: \d+ requests, 0 failed, versions \{"v2":\d+\}/,
    );
    live.mark('staged');
    // Our own look at the preview, beside the live sampler: only v2 there, only v1 here.
    const look = await run({ url: preview, rate: 40 });
    await sleep(8000);
    const previewRecords = await look.finish(300);
    live.mark('promote');
    const outcome = await promoteStaged(k8s, bg, {
      scaleDownAfterMs: 3000,
      onSwitching: () => live.mark('switching'),
      onSwitched: () => live.mark('switch'),
    });
    expect(outcome).toMatchObject({ changed: true, from: 'blue', to: 'green' });
    await sleep(PROXY_SYNC_MS);
    live.mark('settled');
    await sleep(3000);
    const records = await live.finish(1000);
    const gated = live.window(records, 'start', 'switching');
    const after = live.window(records, 'settled', 'end');
    await report(
      'blue-green preview and promotion',
      records,
      {
        'live URL while green was staged: v1 share': `${(shareOf(gated, 'v1').share * 100).toFixed(1)} % of ${gated.length}`,
        'preview URL: v2 share': `${(shareOf(previewRecords, 'v2').share * 100).toFixed(1)} % of ${previewRecords.length}`,
        'live URL after promotion: v2 share': `${(shareOf(after, 'v2').share * 100).toFixed(1)} % of ${after.length}`,
      },
      { marks: live.marks },
    );
    assertNoErrors(records);
    assertNoErrors(previewRecords);
    expect(records.length + previewRecords.length).toBeGreaterThanOrEqual(1000);
    expect(shareOf(gated, 'v1')).toMatchObject({ share: 1 });
    expect(gated.length).toBeGreaterThan(400);
    expect(shareOf(previewRecords, 'v2')).toMatchObject({ share: 1 });
    expect(previewRecords.length).toBeGreaterThan(250);
    expect(shareOf(after, 'v2')).toMatchObject({ share: 1 });
    expect(await activeColor(k8s, bg)).toBe('green');
    const blue = await getDeployment(k8s, { namespace: ns.name, name: 'deploy-myapp-blue' });
    expect(blue.spec?.replicas).toBe(0);
  });

  it('abort: the staged colour goes to 0 and the live Service is not touched; then nothing is staged', async () => {
    const staged = await rolloutCli(['switch', 'blue', '--no-promote', '-n', ns.name]);
    expect(staged.code, staged.stderr).toBe(0);
    expect(staged.stdout).toContain('blue staged: deploy-myapp-blue 3 ready behind svc-myapp-preview');
    const before = await resourceVersion('service', 'svc-myapp', ns.name);
    const aborted = await rolloutCli(['abort-switch', '-n', ns.name]);
    expect(aborted.code, aborted.stderr).toBe(0);
    expect(aborted.stdout).toContain('blue aborted: deploy-myapp-blue scaled to 0');
    expect(await resourceVersion('service', 'svc-myapp', ns.name)).toBe(before);
    expect(await activeColor(k8s, bg)).toBe('green');
    const blue = await getDeployment(k8s, { namespace: ns.name, name: 'deploy-myapp-blue' });
    expect([blue.spec?.replicas, blue.status?.replicas ?? 0]).toEqual([0, 0]);
    // The preview still selects blue, now at 0 replicas: nothing is staged, so nothing to promote.
    const again = await rolloutCli(['promote-switch', '-n', ns.name]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /^error: nothing is staged: svc-myapp-preview selects blue \(0 replicas\), svc-myapp selects green/,
    );
    const live = await rolloutCli(['switch', 'green', '--no-promote', '-n', ns.name]);
    expect(live.code).toBe(2);
    expect(live.stderr).toContain('error: green is already live on service svc-myapp');
  });
});
