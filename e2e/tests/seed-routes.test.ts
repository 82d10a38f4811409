import { manifestsRoot } from '@rollout-lab/manifests';
import {
  history,
  restart,
  scale,
  setImage,
  setPaused,
  type Target,
  waitForRollout,
} from '@rollout-lab/rollout';
import {
  assertNoErrors,
  assertPhases,
  assertShare,
  assertVersions,
  headerClassifier,
  sample,
  shareOf,
} from '@rollout-lab/traffic';
import { describe, expect } from 'vitest';
import { cluster, deploy, kubectl, podNames, rolloutCli, useNamespace } from '../support/cluster.js';
import { scenario } from '../support/scenarios.js';
import { report, run, sleep, TAKEOVER_RUN } from '../support/traffic.js';

// The seed's routes that had no scenario: pause → changes → resume, restart, undo while paused, the v2
// "new feature" route through the NodePort, the canary step "scale v1 down to 1", and upgrades by
// `kubectl replace -f` and by what `kubectl edit` saves.
// One scenario at a time (their namespaces are set up side by side): four samplers and thirteen pods
// starting at once beside another file cost the 2-core machine more than they prove.
describe('the seed, remaining routes', () => {
  const k8s = cluster();
  const paused = useNamespace('rl-pause', (namespace) =>
    deploy(k8s, 'overlays/rolling', namespace, ['deploy-myapp']),
  );
  const restarted = useNamespace('rl-restart', (namespace) =>
    deploy(k8s, 'overlays/rolling', namespace, ['deploy-myapp']),
  );
  const replaced = useNamespace('rl-replace', (namespace) =>
    deploy(k8s, 'overlays/rolling', namespace, ['deploy-myapp']),
  );
  const canary = useNamespace('rl-canary-down', (namespace) =>
    deploy(k8s, 'overlays/canary', namespace, ['deploy-myapp', 'deploy-myapp-canary']),
  );
  const target = (namespace: string): Target => ({ namespace, name: 'deploy-myapp' });
  const replicaSets = async (namespace: string) =>
    (await kubectl(['get', 'replicasets', '-l', 'app=myapp', '-n', namespace, '-o', 'name'])).stdout
      .trim()
      .split('\n')
      .filter(Boolean);

  scenario(
    'pause, two image changes and an env change, resume: one rollout (one new ReplicaSet), 0 failed; undo refused while paused; /preview from v2 only',
    async () => {
      const t = target(paused.name);
      const preview = async () =>
        (await sample({ url: paused.url('/preview'), rate: 20, maxRequests: 40, classify: headerClassifier }))
          .records;
      // v1 has no /preview: 404, never a v2 answer.
      expect(new Set((await preview()).map((r) => r.status))).toEqual(new Set([404]));

      const traffic = await run({ url: paused.url(), rate: 50 });
      await sleep(2000);
      traffic.mark('pause');
      await setPaused(k8s, t, true);
      // Two image changes (the first would answer half its requests with 500, had it ever run) and an env
      // change, the second image the seed's way: only the last template rolls out.
      await setImage(
        k8s,
        t,
        { myapp: 'rollout-lab/myapp:v2.1-flaky' },
        { cause: 'v2.1-flaky, while paused' },
      );
      await kubectl([
        'set',
        'image',
        'deployment/deploy-myapp',
        'myapp=rollout-lab/myapp:v2.0',
        '-n',
        paused.name,
      ]);
      await kubectl(['set', 'env', 'deployment/deploy-myapp', 'NOTE=paused-change', '-n', paused.name]);
      await sleep(5000);
      // Paused: the controller made no new ReplicaSet for either change.
      expect(await replicaSets(paused.name)).toHaveLength(1);
      const undo = await rolloutCli(['undo', 'deploy-myapp', '-n', paused.name]);
      expect(undo.code).toBe(1);
      expect(undo.stderr).toMatch(/is paused; resume it first/);
      traffic.mark('resume');
      await setPaused(k8s, t, false);
      await waitForRollout(k8s, t, { untilOldPodsGone: true });
      traffic.mark('old pods gone');
      await sleep(3000);
      const records = await traffic.finish(1000);
      await report(
        'pause, two image changes and an env change, resume: one rollout',
        records,
        {},
        { marks: traffic.marks },
      );
      assertNoErrors(records);
      assertVersions(records, ['v1', 'v2']);
      assertPhases(records, ['v1', 'mixed', 'v2'], TAKEOVER_RUN);
      expect(traffic.window(records, 'pause', 'resume').every((r) => r.version === 'v1')).toBe(true);
      expect(await replicaSets(paused.name)).toHaveLength(2);
      const rows = await history(k8s, t);
      expect(rows.map((r) => [r.revision, r.images.myapp])).toEqual([
        [1, 'rollout-lab/myapp:v1.0'],
        [2, 'rollout-lab/myapp:v2.0'],
      ]);

      // Through the NodePort, every /preview answer is v2's new feature.
      const answers = await preview();
      expect(answers.map((r) => [r.status, r.version])).toEqual(answers.map(() => [200, 'v2']));
    },
  );

  scenario('restart rolls every pod with not one failed request', async () => {
    const t = target(restarted.name);
    const before = await podNames(restarted.name, 'app=myapp');
    const traffic = await run({ url: restarted.url(), rate: 50 });
    await sleep(2000);
    traffic.mark('restart');
    await restart(k8s, t);
    await waitForRollout(k8s, t, { untilOldPodsGone: true });
    traffic.mark('old pods gone');
    await sleep(3000);
    const records = await traffic.finish(1000);
    await report('restart', records, {}, { marks: traffic.marks });
    assertNoErrors(records);
    const after = await podNames(restarted.name, 'app=myapp');
    expect(after).toHaveLength(3);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    // Every pod that answered at the end is a new one.
    const lastPods = new Set(records.slice(-100).map((r) => r.pod));
    expect([...lastPods].every((p) => p && after.includes(p))).toBe(true);
  });

  scenario(
    "canary, the seed's next step: v1 scaled down to 1 beside 1 v2 takes the v2 share from 25 % to 50 %",
    async () => {
      const traffic = await run({ url: canary.url(), rate: 60 });
      const steady = async (name: string) => {
        await sleep(1500);
        traffic.mark(`${name} from`);
        await sleep(10_000);
        traffic.mark(`${name} to`);
      };
      await steady('3 v1 + 1 v2');
      const stable = target(canary.name);
      await scale(k8s, stable, 1);
      await waitForRollout(k8s, stable, { untilOldPodsGone: true });
      await steady('1 v1 + 1 v2');
      const records = await traffic.finish(1000);
      const before = traffic.window(records, '3 v1 + 1 v2 from', '3 v1 + 1 v2 to');
      const after = traffic.window(records, '1 v1 + 1 v2 from', '1 v1 + 1 v2 to');
      await report(
        'canary: v1 scaled down to 1',
        records,
        { 'v2 share, 3 + 1': shareOf(before, 'v2').share, 'v2 share, 1 + 1': shareOf(after, 'v2').share },
        { marks: { 'v1 to 1 replica': traffic.marks['3 v1 + 1 v2 to'] ?? 0 } },
      );
      assertNoErrors(records);
      assertShare(before, 'v2', 0.25);
      assertShare(after, 'v2', 0.5);
    },
  );

  scenario(
    'kubectl replace -f with a v2 manifest, then a patch as kubectl edit saves it: 0 failed both ways',
    async () => {
      const rendered = (await kubectl(['kustomize', `${manifestsRoot}/overlays/rolling`])).stdout;
      const deployment = rendered
        .split(/^---$/m)
        .find((doc) => /^kind: Deployment$/m.test(doc))
        ?.replace('image: rollout-lab/myapp:v1.0', 'image: rollout-lab/myapp:v2.0');
      expect(deployment).toContain('image: rollout-lab/myapp:v2.0');
      const traffic = await run({ url: replaced.url(), rate: 50 });
      await sleep(2000);
      traffic.mark('replace');
      await kubectl(['replace', '-n', replaced.name, '-f', '-'], deployment);
      await waitForRollout(k8s, target(replaced.name), { untilOldPodsGone: true });
      traffic.mark('old pods gone');
      await sleep(3000);
      const records = await traffic.finish(1000);
      await report('kubectl replace -f (v2 manifest)', records, {}, { marks: traffic.marks });
      assertNoErrors(records);
      assertPhases(records, ['v1', 'mixed', 'v2'], TAKEOVER_RUN);

      // `kubectl edit` changing the image back saves a strategic merge patch of that one field: this one.
      const back = await run({ url: replaced.url(), rate: 50 });
      await sleep(2000);
      back.mark('edit');
      const edit = {
        spec: { template: { spec: { containers: [{ name: 'myapp', image: 'rollout-lab/myapp:v1.0' }] } } },
      };
      await kubectl(['patch', 'deployment', 'deploy-myapp', '-n', replaced.name, '-p', JSON.stringify(edit)]);
      await waitForRollout(k8s, target(replaced.name), { untilOldPodsGone: true });
      back.mark('old pods gone');
      await sleep(3000);
      const edited = await back.finish(1000);
      await report('kubectl edit (the patch it saves): v2 to v1', edited, {}, { marks: back.marks });
      assertNoErrors(edited);
      assertPhases(edited, ['v2', 'mixed', 'v1'], TAKEOVER_RUN);
    },
  );
});
