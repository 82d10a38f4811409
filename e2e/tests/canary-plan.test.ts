import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDeployment, parsePlan, planStatus, runPlan } from '@rollout-lab/rollout';
import { assertNoErrors, assertShare, binomialTolerance, shareOf } from '@rollout-lab/traffic';
import { describe, expect } from 'vitest';
import { cluster, deploy, interrupt, rolloutCli, useNamespace } from '../support/cluster.js';
import { scenario } from '../support/scenarios.js';
import { report, run, sleep } from '../support/traffic.js';

const Z = 4; // as canary.test.ts: a false alarm about 1 run in 16,000
const SETTLE_MS = 2000; // kube-proxy following the new endpoints before a share is measured

const planYaml = (url: string, image: string, steps: string) => `apiVersion: rollout-lab.dev/v1
kind: CanaryPlan
stable: deploy-myapp
canary: deploy-myapp-canary
image: {myapp: ${image}}
analysis: {url: ${url}, rate: 20, maxErrorRate: 0.05, maxP99Ms: 1000, checks: [{path: /preview, status: 200}]}
steps:
${steps}`;

/** The plan in a file of its own, as `rollout plan run FILE` takes it. */
const planFile = (url: string, image: string, steps: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'rl-plan-')), 'plan.yaml');
  writeFileSync(file, planYaml(url, image, steps));
  return file;
};

// Issue 13: progressive delivery as data. Each scenario on its own canary pair (v1 ×3, v2 ×1).
describe('canary plans', () => {
  const k8s = cluster();
  const setup = (namespace: string) =>
    deploy(k8s, 'overlays/canary', namespace, ['deploy-myapp', 'deploy-myapp-canary']);
  const steps = useNamespace('rl-plan', setup);
  const flaky = useNamespace('rl-plan-abort', setup);
  const paused = useNamespace('rl-plan-resume', setup);

  scenario(
    'runs 25 → 50 → 100 % with the share in its binomial band at each step, then promotes; 0 failed',
    async () => {
      const plan = parsePlan(
        planYaml(
          steps.url(),
          'rollout-lab/myapp:v2.0',
          `  - setWeight: 25
  - pause: {duration: 12s}
  - analysis: {duration: 6s}
  - setWeight: 50
  - pause: {duration: 12s}
  - setWeight: 100
  - pause: {duration: 8s}
`,
        ),
      );
      const traffic = await run({ url: steps.url(), rate: 60 });
      const result = await runPlan(k8s, steps.name, plan, {
        onStep: (i, s) => traffic.mark(`step ${i} ${Object.keys(s)[0]}`),
      });
      traffic.mark('promoted');
      await sleep(SETTLE_MS + 3000);
      const records = await traffic.finish(1000);
      const window = (pause: number, next: string) =>
        records.filter(
          (r) =>
            r.startedAt >= (traffic.marks[`step ${pause} pause`] ?? 0) + SETTLE_MS &&
            r.startedAt < (traffic.marks[next] ?? 0),
        );
      const at25 = window(1, 'step 2 analysis');
      const at50 = window(4, 'step 5 setWeight');
      const at100 = window(6, 'promoted');
      const line = (w: typeof records, p: number) =>
        `${(shareOf(w, 'v2').share * 100).toFixed(1)} % of ${w.length} (expected ${p * 100} % ± ${(binomialTolerance(p, w.length, Z) * 100).toFixed(1)} %)`;
      await report(
        'canary plan 25-50-100',
        records,
        { 'v2 at 25 %': line(at25, 0.25), 'v2 at 50 %': line(at50, 0.5), 'v2 at 100 %': line(at100, 1) },
        { marks: traffic.marks },
      );
      expect(result).toMatchObject({ phase: 'promoted', step: 7 });
      assertNoErrors(records);
      expect(records.length).toBeGreaterThanOrEqual(1000);
      assertShare(at25, 'v2', 0.25, Z);
      assertShare(at50, 'v2', 0.5, Z);
      expect(shareOf(at100, 'v2')).toMatchObject({ share: 1 });
      expect(at100.length).toBeGreaterThan(200);
      const stable = await getDeployment(k8s, { namespace: steps.name, name: 'deploy-myapp' });
      expect([stable.spec?.replicas, stable.spec?.template?.spec?.containers[0]?.image]).toEqual([
        4,
        'rollout-lab/myapp:v2.0',
      ]);
      expect((await planStatus(k8s, { namespace: steps.name, name: 'deploy-myapp' }))?.phase).toBe(
        'promoted',
      );
    },
  );

  scenario(
    'aborts when the analysis sees the flaky canary fail: stable back to every replica, failures bounded',
    async () => {
      const file = planFile(
        flaky.url(),
        'rollout-lab/myapp:v2.1-flaky',
        '  - setWeight: 25\n  - analysis: {duration: 8s}\n  - setWeight: 50\n',
      );
      const traffic = await run({ url: flaky.url(), rate: 50 });
      await sleep(1000);
      traffic.mark('plan');
      const r = await rolloutCli(['plan', 'run', file, '-n', flaky.name]);
      traffic.mark('aborted');
      await sleep(8000); // kube-proxy drops the canary's endpoints
      traffic.mark('recovered');
      await sleep(4000);
      const records = await traffic.finish(1000);
      const failed = records.filter((x) => x.error);
      const afterRecovery = traffic.window(records, 'recovered');
      await report(
        'canary plan aborted by analysis',
        records,
        {
          exit: r.code,
          'failed while exposed': failed.length,
          'failed after recovery': afterRecovery.filter((x) => x.error).length,
        },
        { marks: traffic.marks, failuresInjected: true },
      );
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n').at(-1)).toMatch(
        /^error: aborted at step 1: analysis failed: error rate \d+\.\d % > 5\.0 % \(\d+ of \d+\).*; deploy-myapp has every replica back$/,
      );
      // The canary answers half its requests with 500, for about a quarter of the traffic, for the time it was exposed.
      expect(failed.every((x) => x.error === 'http-5xx')).toBe(true);
      const exposed = traffic.window(records, 'plan', 'aborted').length;
      expect(failed.length).toBeLessThan(exposed * 0.25 * 0.5 + 4 * Math.sqrt(exposed * 0.125) + 10);
      assertNoErrors(afterRecovery);
      const [stable, canary] = await Promise.all(
        ['deploy-myapp', 'deploy-myapp-canary'].map((name) =>
          getDeployment(k8s, { namespace: flaky.name, name }),
        ),
      );
      expect([stable?.spec?.replicas, canary?.spec?.replicas]).toEqual([4, 0]);
      const status = await rolloutCli(['plan', 'status', 'deploy-myapp', '-n', flaky.name]);
      expect(status.stdout).toMatch(
        /^plan on deploy-myapp \(canary deploy-myapp-canary\): aborted, step 1 of 3\n/,
      );
      // A plan its analysis aborted cannot be promoted by hand, and says why.
      const promote = await rolloutCli(['plan', 'promote', 'deploy-myapp', '-n', flaky.name]);
      expect([promote.code, promote.stderr]).toEqual([
        1,
        expect.stringMatching(
          /^error: no plan in progress on deployment deploy-myapp in namespace \S+ \(aborted: aborted at step 1: analysis failed: error rate .*\); nothing to promote$/,
        ),
      ]);
    },
  );

  scenario(
    'pauses until resumed, survives a Ctrl-C, and continues from the recorded step; 0 failed',
    async () => {
      const file = planFile(
        paused.url(),
        'rollout-lab/myapp:v2.0',
        '  - setWeight: 50\n  - pause: {}\n  - setWeight: 75\n  - pause: {duration: 30s}\n  - setWeight: 100\n',
      );
      const ns = ['-n', paused.name];
      const traffic = await run({ url: paused.url(), rate: 40 });
      const first = await rolloutCli(['plan', 'run', file, ...ns]);
      expect(first.stdout.trim()).toBe(
        `paused at step 1; rollout plan resume deploy-myapp -n ${paused.name} goes on`,
      );
      traffic.mark('paused');
      const status = await rolloutCli(['plan', 'status', 'deploy-myapp', ...ns]);
      expect(status.stdout).toContain(
        'plan on deploy-myapp (canary deploy-myapp-canary): paused, step 2 of 5\n',
      );
      expect(status.stdout).toContain('→ 2: setWeight 75');
      const again = await rolloutCli(['plan', 'run', file, ...ns]);
      expect([again.code, again.stderr]).toEqual([
        2,
        `error: the plan is paused at step 2; rollout plan resume deploy-myapp -n ${paused.name}`,
      ]);
      // Resumed, then interrupted during the timed pause.
      const cut = await interrupt(['plan', 'resume', 'deploy-myapp', ...ns], /step 3: pause 30 s/);
      traffic.mark('interrupted');
      expect(cut.code, cut.stderr).toBe(130);
      expect(cut.stderr.split('\n').at(-1)).toContain(
        'interrupted: the plan on deploy-myapp stopped at its current step',
      );
      expect(await planStatus(k8s, { namespace: paused.name, name: 'deploy-myapp' })).toMatchObject({
        phase: 'running',
        step: 3,
      });
      const rerun = await rolloutCli(['plan', 'run', file, ...ns]);
      traffic.mark('promoted');
      expect(rerun.stderr).toContain('continuing the plan from step 3 (pause 30 s)');
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stdout.trim()).toBe(
        'promoted: deploy-myapp runs rollout-lab/myapp:v2.0 on every replica, deploy-myapp-canary 0',
      );
      await sleep(2000);
      const records = await traffic.finish(1000);
      await report('canary plan paused, interrupted, resumed', records, {}, { marks: traffic.marks });
      assertNoErrors(records);
      expect(records.length).toBeGreaterThanOrEqual(1000);
    },
  );
});
