import { activeColor, type BlueGreen, getDeployment, promoteStaged } from '@rollout-lab/rollout';
import { assertNoErrors, shareOf } from '@rollout-lab/traffic';
import { describe, expect } from 'vitest';
import {
  cluster,
  deploy,
  expectSuccess,
  kubectl,
  resourceVersion,
  rolloutCli,
  useNamespace,
} from '../support/cluster.js';
import { scenario } from '../support/scenarios.js';
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
  // Each scenario on a pair of its own, so that they run side by side.
  const aborted = useNamespace('rl-preview-abort', (namespace) =>
    deploy(k8s, 'overlays/blue-green', namespace, ['deploy-myapp-blue']),
  );
  const gated = useNamespace('rl-preview-gate', (namespace) =>
    deploy(k8s, 'overlays/blue-green', namespace, ['deploy-myapp-blue']),
  );

  scenario(
    'stages green: the preview serves only v2 while the live URL serves only v1; promotion with 0 failed',
    async () => {
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
    },
  );

  scenario(
    'abort: the staged colour goes to 0 and the live Service is not touched; then nothing is staged',
    async () => {
      const n = ['-n', aborted.name];
      const pair: BlueGreen = {
        namespace: aborted.name,
        service: 'svc-myapp',
        deploymentPrefix: 'deploy-myapp',
      };
      const staged = await rolloutCli(['switch', 'green', '--no-promote', ...n]);
      expect(staged.code, staged.stderr).toBe(0);
      expect(staged.stdout).toContain('green staged: deploy-myapp-green 3 ready behind svc-myapp-preview');
      const before = await resourceVersion('service', 'svc-myapp', aborted.name);
      const abort = await rolloutCli(['abort-switch', ...n]);
      expect(abort.code, abort.stderr).toBe(0);
      expect(abort.stdout).toContain('green aborted: deploy-myapp-green scaled to 0');
      expect(await resourceVersion('service', 'svc-myapp', aborted.name)).toBe(before);
      expect(await activeColor(k8s, pair)).toBe('blue');
      const green = await getDeployment(k8s, { namespace: aborted.name, name: 'deploy-myapp-green' });
      expect([green.spec?.replicas, green.status?.replicas ?? 0]).toEqual([0, 0]);
      // The preview still selects green, now at 0 replicas: nothing is staged, so nothing to promote.
      const again = await rolloutCli(['promote-switch', ...n]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(
        /^error: nothing is staged: svc-myapp-preview selects green \(0 replicas\), svc-myapp selects blue/,
      );
      const live = await rolloutCli(['switch', 'blue', '--no-promote', ...n]);
      expect(live.code).toBe(2);
      expect(live.stderr).toContain('error: blue is already live on service svc-myapp');
    },
  );

  scenario(
    'a colour that failed its pre-promotion check is scaled back, kept failed, refused by promote-switch, then abandoned; 0 failed live',
    async () => {
      const ns = ['-n', gated.name];
      const live = await run({ url: gated.url(), rate: 40 });
      const green = { namespace: gated.name, name: 'deploy-myapp-green' };
      // Half of the flaky image's answers are 500: the check either never sees 10 good answers in a row
      // from the preview, or sees them and then counts the 500s. Either way it fails.
      const staged = await rolloutCli([
        'switch',
        'green',
        '--no-promote',
        '--image',
        'myapp=rollout-lab/myapp:v2.1-flaky',
        '--preview-url',
        gated.urlOf('svc-myapp-preview'),
        '--analysis',
        '6s',
        '--timeout',
        '40s',
        ...ns,
      ]);
      live.mark('staging failed');
      const afterStaging = await getDeployment(k8s, green);
      // Someone scales it up by hand anyway: the failure on record still stands in the way.
      await kubectl(['scale', 'deployment', green.name, '--replicas=3', ...ns]);
      await kubectl(['rollout', 'status', `deployment/${green.name}`, '--timeout=120s', ...ns]);
      const liveBefore = await resourceVersion('service', 'svc-myapp', gated.name);
      const promote = await rolloutCli(['promote-switch', ...ns]);
      const liveAfter = await resourceVersion('service', 'svc-myapp', gated.name);
      const abandoned = await rolloutCli(['abort-switch', ...ns]);
      live.mark('abandoned');
      await sleep(2000);
      const records = await live.finish(1000);
      await report(
        'blue-green: a failed gate stays failed',
        records,
        {
          staging: `exit ${staged.code}`,
          'promote-switch': `exit ${promote.code}`,
          'abort-switch': `exit ${abandoned.code}`,
        },
        { marks: live.marks },
      );

      expect([staged.code, staged.stderr.split('\n').at(-1)]).toEqual([
        1,
        expect.stringMatching(
          /^error: pre-promotion analysis failed(: \S+ did not answer from deploy-myapp-green- 10 times in a row within 40 s \(.+\)| on \S+: \d+ requests, [1-9]\d* failed, .*); deploy-myapp-green scaled to 0, service svc-myapp in namespace \S+ still selects blue$/,
        ),
      ]);
      expect(afterStaging.spec?.replicas).toBe(0);
      expect(
        JSON.parse(afterStaging.metadata?.annotations?.['rollout-lab.dev/preview-gate'] ?? '{}'),
      ).toMatchObject({ result: 'failed' });
      expect([promote.code, promote.stderr]).toEqual([
        1,
        expect.stringMatching(
          /^error: deploy-myapp-green failed its pre-promotion analysis at \S+: (\S+ did not answer from deploy-myapp-green- 10 times in a row within 40 s \(.+\)|\d+ requests, [1-9]\d* failed, .*); not promoted \(service svc-myapp in namespace \S+ still selects blue\): stage it again with --preview-url, or promote-switch --unverified to take the risk$/,
        ),
      ]);
      expect(liveAfter).toBe(liveBefore);
      expect([abandoned.code, abandoned.stdout]).toEqual([
        0,
        expect.stringContaining('green aborted: deploy-myapp-green scaled to 0'),
      ]);
      expect(
        await activeColor(k8s, {
          namespace: gated.name,
          service: 'svc-myapp',
          deploymentPrefix: 'deploy-myapp',
        }),
      ).toBe('blue');
      assertNoErrors(records);
      expect(shareOf(records, 'v1')).toMatchObject({ share: 1 });
      expect(records.length).toBeGreaterThanOrEqual(1000);
    },
  );
});
