import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDeployment, planLeaseName } from '@rollout-lab/rollout';
import { assertNoErrors, shareOf } from '@rollout-lab/traffic';
import { describe, expect } from 'vitest';
import {
  cluster,
  deploy,
  kubectl,
  resourceVersion,
  rolloutCli,
  startCli,
  useNamespace,
} from '../support/cluster.js';
import { scenario } from '../support/scenarios.js';
import { report, run, sleep } from '../support/traffic.js';

// Plans and gates obey their operator: an abort by hand stops a running plan before its next write, one
// runner owns a pair (a Lease) until it stops renewing, a plan is checked whole before its first write,
// and a staged colour that failed its check is not promoted. Each with a sampler on the live URL.

const PAIR = ['deploy-myapp', 'deploy-myapp-canary'];

const planFile = (url: string, steps: string, image = 'myapp: rollout-lab/myapp:v2.0') => {
  const file = join(mkdtempSync(join(tmpdir(), 'rl-plan-')), 'plan.yaml');
  writeFileSync(
    file,
    `apiVersion: rollout-lab.dev/v1
kind: CanaryPlan
stable: deploy-myapp
canary: deploy-myapp-canary
image: {${image}}
analysis: {url: ${url}, rate: 20, maxErrorRate: 0.05}
steps:
${steps}`,
  );
  return file;
};

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

describe('plans obey their operator', () => {
  const k8s = cluster();
  const setup = (namespace: string) => deploy(k8s, 'overlays/canary', namespace, PAIR);
  // A namespace per scenario: the refusals' resourceVersions must not see the abort scenario's writes.
  const refusals = useNamespace('rl-plan-refused', setup);
  const owner = useNamespace('rl-plan-owner', setup);
  const takeover = useNamespace('rl-plan-takeover', setup);

  const specs = async (namespace: string) =>
    Promise.all(
      PAIR.map(async (name) => {
        const d = await getDeployment(k8s, { namespace, name });
        return { replicas: d.spec?.replicas, image: d.spec?.template?.spec?.containers[0]?.image };
      }),
    );
  const generations = async (namespace: string) =>
    Promise.all(
      PAIR.map(async (name) => (await getDeployment(k8s, { namespace, name })).metadata?.generation),
    );

  scenario(
    'checks the whole plan before its first write: refusals leave every resourceVersion as it was',
    async () => {
      const ns = ['-n', refusals.name];
      const traffic = await run({ url: refusals.url(), rate: 20 });
      const before = await Promise.all(PAIR.map((d) => resourceVersion('deployment', d, refusals.name)));
      // 10 % of the pair's 4 replicas is no whole replica: refused before the canary's image is written.
      const inexpressible = await rolloutCli([
        'plan',
        'run',
        planFile(refusals.url(), '  - setWeight: 50\n  - setWeight: 10\n'),
        ...ns,
      ]);
      const noContainer = await rolloutCli([
        'plan',
        'run',
        planFile(refusals.url(), '  - setWeight: 50\n', 'nope: rollout-lab/myapp:v2.0'),
        ...ns,
      ]);
      const bombFile = join(mkdtempSync(join(tmpdir(), 'rl-plan-')), 'bomb.yaml');
      const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 9; i++)
        levels.push(
          `a${i}: &a${i} [${Array(9)
            .fill(`*a${i - 1}`)
            .join(', ')}]`,
        );
      writeFileSync(bombFile, `${levels.join('\n')}\nsteps: *a8\n`);
      const bomb = await rolloutCli(['plan', 'run', bombFile, ...ns]);
      const fraction = await rolloutCli([
        'plan',
        'run',
        planFile(refusals.url(), '  - setWeight: 33.5\n'),
        ...ns,
      ]);
      const after = await Promise.all(PAIR.map((d) => resourceVersion('deployment', d, refusals.name)));
      const lease = await kubectl(['get', 'lease', planLeaseName('deploy-myapp'), ...ns]).nothrow();
      const records = await traffic.finish(200);
      await report('plan refused before its first write', records, {
        'inexpressible step': `exit ${inexpressible.code}`,
        'unknown container': `exit ${noContainer.code}`,
        'alias bomb': `exit ${bomb.code}`,
        'fractional weight': `exit ${fraction.code}`,
      });

      expect([inexpressible.code, lastLine(inexpressible.stderr)]).toEqual([
        2,
        'error: a 10 % canary cannot be expressed with 4 replicas in total (possible: 0, 25, 50, 75, 100 %); scale the pair up first',
      ]);
      expect([noContainer.code, lastLine(noContainer.stderr)]).toEqual([
        1,
        `error: container nope not found in deployment deploy-myapp-canary in namespace ${refusals.name}; known: myapp`,
      ]);
      expect([bomb.code, bomb.stderr]).toEqual([
        2,
        expect.stringMatching(/^error: not YAML: Excessive alias count/),
      ]);
      expect(bomb.stderr.split('\n')).toHaveLength(1);
      expect([fraction.code, fraction.stderr]).toEqual([
        2,
        'error: invalid CanaryPlan: steps[0].setWeight: expected a whole number from 0 to 100, got 33.5',
      ]);
      expect(after).toEqual(before);
      expect(lease.stderr).toContain('NotFound');
      assertNoErrors(records);
    },
  );

  scenario(
    'an abort by hand stops a runner in its pause and in its analysis; a second runner is refused; 0 failed',
    async () => {
      const ns = ['-n', owner.name];
      const traffic = await run({ url: owner.url(), rate: 40 });
      const file = planFile(
        owner.url(),
        '  - setWeight: 50\n  - pause: {duration: 5m}\n  - setWeight: 100\n',
      );
      const first = startCli(['plan', 'run', file, ...ns]);
      await first.waitFor(/step 1: pause 300 s/);
      traffic.mark('paused');
      const second = await rolloutCli(['plan', 'run', file, ...ns]);
      const abort = await rolloutCli(['plan', 'abort', 'deploy-myapp', ...ns]);
      traffic.mark('aborted');
      const afterAbort = await generations(owner.name);
      const ended = await first.done;
      traffic.mark('runner ended');
      await sleep(3000);
      const afterRunner = await generations(owner.name);
      const lease = JSON.parse(
        (await kubectl(['get', 'lease', planLeaseName('deploy-myapp'), ...ns, '-o', 'json'])).stdout,
      );

      // The same during an analysis: the plan's verdict no longer counts once the operator has decided.
      const analysing = planFile(
        owner.url(),
        '  - setWeight: 50\n  - analysis: {duration: 5m}\n  - setWeight: 100\n',
      );
      const third = startCli(['plan', 'run', analysing, ...ns]);
      await third.waitFor(/step 1: analysis 300 s/);
      traffic.mark('analysing');
      const abortAgain = await rolloutCli(['plan', 'abort', 'deploy-myapp', ...ns]);
      traffic.mark('aborted again');
      const thirdEnded = await third.done;
      await sleep(3000);
      const records = await traffic.finish(1000);

      await report(
        'plan aborted by hand while running',
        records,
        {
          'second runner': `exit ${second.code}`,
          'runner in a pause': `exit ${ended.code}`,
          'runner in an analysis': `exit ${thirdEnded.code}`,
        },
        { marks: traffic.marks },
      );

      expect([second.code, lastLine(second.stderr)]).toEqual([
        1,
        expect.stringMatching(
          /^error: the plan on deploy-myapp \(canary deploy-myapp-canary\) is held by \S+ since \S+ \(renewed \d+ s ago, 15 s lease\); only one runner at a time/,
        ),
      ]);
      expect([abort.code, abort.stdout.trim()]).toEqual([
        0,
        'aborted at step 1 by hand; deploy-myapp has every replica back',
      ]);
      const stopped =
        'error: the plan was aborted by hand at step 1 meanwhile; this run stopped without writing more (rollout plan status deploy-myapp)';
      expect([ended.code, lastLine(ended.stderr)]).toEqual([1, stopped]);
      expect([abortAgain.code, thirdEnded.code, lastLine(thirdEnded.stderr)]).toEqual([0, 1, stopped]);
      // Nothing written by the runner after the abort; the Lease given back.
      expect(afterRunner).toEqual(afterAbort);
      expect(lease.spec.holderIdentity).toBeUndefined();
      expect(await specs(owner.name)).toEqual([
        { replicas: 4, image: 'rollout-lab/myapp:v1.0' },
        { replicas: 0, image: 'rollout-lab/myapp:v2.0' },
      ]);
      assertNoErrors(records);
      expect(records.length).toBeGreaterThanOrEqual(1000);
      expect(shareOf(traffic.window(records, 'aborted again'), 'v1').share).toBe(1);
    },
  );

  scenario(
    'a runner killed mid-plan holds its pair until its Lease expires, then the next run takes over and finishes; 0 failed',
    async () => {
      const ns = ['-n', takeover.name];
      const traffic = await run({ url: takeover.url(), rate: 40 });
      const file = planFile(takeover.url(), '  - setWeight: 50\n  - pause: {duration: 10s}\n');
      const first = startCli(['plan', 'run', file, ...ns]);
      await first.waitFor(/step 1: pause 10 s/);
      first.kill('SIGKILL');
      const killed = await first.done;
      traffic.mark('killed');
      const refused = await rolloutCli(['plan', 'run', file, ...ns]);
      const lease = JSON.parse(
        (await kubectl(['get', 'lease', planLeaseName('deploy-myapp'), ...ns, '-o', 'json'])).stdout,
      );
      const expires = Date.parse(lease.spec.renewTime) + lease.spec.leaseDurationSeconds * 1000;
      await sleep(Math.max(0, expires - Date.now()) + 1000);
      traffic.mark('lease expired');
      const next = await rolloutCli(['plan', 'run', file, ...ns]);
      traffic.mark('promoted');
      await sleep(2000);
      const records = await traffic.finish(1000);
      await report(
        'plan runner killed, taken over after its Lease expired',
        records,
        { 'refused while held': `exit ${refused.code}`, 'taken over': `exit ${next.code}` },
        { marks: traffic.marks },
      );

      expect(killed.code).toBeNull();
      expect([refused.code, lastLine(refused.stderr)]).toEqual([1, expect.stringContaining('is held by')]);
      expect(next.stderr).toContain('continuing the plan from step 1 (pause 10 s)');
      expect([next.code, next.stdout.trim()]).toEqual([
        0,
        'promoted: deploy-myapp runs rollout-lab/myapp:v2.0 on every replica, deploy-myapp-canary 0',
      ]);
      expect(await specs(takeover.name)).toEqual([
        { replicas: 4, image: 'rollout-lab/myapp:v2.0' },
        { replicas: 0, image: 'rollout-lab/myapp:v2.0' },
      ]);
      assertNoErrors(records);
      expect(records.length).toBeGreaterThanOrEqual(1000);
    },
  );
});
