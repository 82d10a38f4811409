import {
  getDeployment,
  patchIfUnchanged,
  scale,
  setImage,
  type Target,
  waitForRollout,
} from '@rollout-lab/rollout';
import { assertNoErrors } from '@rollout-lab/traffic';
import { describe, expect, it } from 'vitest';
import {
  cluster,
  deploy,
  interrupt,
  kubectl,
  podNames,
  rolloutCli,
  useNamespace,
} from '../support/cluster.js';
import { report, run, settledVersion, sleep } from '../support/traffic.js';

// A pod deleted mid-rollout, then an interrupted switch (own namespaces), one after the other: side by
// side, the switch's three new pods started 2 s into the rolling update, and its pods, waiting for a CPU,
// answered too late twice in CI (docs/e2e.md). The racing writers then use the first namespace.
// Interrupted set-image and undo are in interrupts.test.ts.
describe('faults during a rollout', () => {
  const k8s = cluster();
  let target: Target;
  const ns = useNamespace('rl-faults', async (namespace) => {
    target = { namespace, name: 'deploy-myapp' };
    await deploy(k8s, 'overlays/rolling', namespace, [target.name]);
  });
  const bgNs = useNamespace('rl-faults-bg', (namespace) =>
    deploy(k8s, 'overlays/blue-green', namespace, ['deploy-myapp-blue']),
  );

  it('a pod deleted in the middle of a rolling update: the rollout completes with not one failed request', async () => {
    const traffic = await run({ url: ns.url(), rate: 50 });
    await sleep(2000);
    const before = await podNames(ns.name, 'app=myapp');
    await setImage(
      k8s,
      target,
      { myapp: 'rollout-lab/myapp:v2.0' },
      { cause: 'upgrade during a pod deletion' },
    );
    await sleep(3000);
    const victim = before[0] as string;
    await kubectl(['delete', 'pod', victim, '-n', ns.name, '--wait=false']);
    traffic.mark('pod deleted');
    await waitForRollout(k8s, target, { untilOldPodsGone: true });
    await sleep(2000);
    const records = await traffic.finish(1000);
    await report(
      'pod deleted during a rolling update',
      records,
      { 'deleted pod': victim },
      { marks: traffic.marks },
    );
    assertNoErrors(records);
    expect(settledVersion(records)).toBe('v2');
  });

  it('switch interrupted by SIGINT: green is up, the Service still on blue; the same switch finishes it', async () => {
    const args = ['switch', 'green', '-n', bgNs.name];
    const cut = await interrupt(args, /Waiting/);
    expect(cut.code, cut.stderr).toBe(130);
    expect(cut.stderr).toContain(
      'interrupted: the green Deployment may be scaled up with the Service not yet switched',
    );
    const selector = async () =>
      (await kubectl(['get', 'svc', 'svc-myapp', '-n', bgNs.name, '-o', 'jsonpath={.spec.selector.color}']))
        .stdout;
    expect(await selector()).toBe('blue');
    const again = await rolloutCli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('switched blue → green');
    expect(await selector()).toBe('green');
  });

  it('two writers racing: the stale one gets a conflict, and concurrent changes both land', async () => {
    const d = await getDeployment(k8s, target);
    await patchIfUnchanged(k8s, target, d, { type: 'strategic', body: { spec: { minReadySeconds: 3 } } });
    // d is stale now: a write onto it is refused.
    await expect(
      patchIfUnchanged(k8s, target, d, { type: 'strategic', body: { spec: { replicas: 3 } } }),
    ).rejects.toThrow(/changed by someone else meanwhile/);
    // Two library writers at once, on different fields: each re-reads on conflict, neither change is lost.
    const [scaled, imaged] = await Promise.all([
      scale(k8s, target, 4),
      setImage(k8s, target, { myapp: 'rollout-lab/myapp:v1.0' }, { cause: 'racing writer' }),
    ]);
    expect([scaled.changed, imaged.changed]).toEqual([true, true]);
    const after = await getDeployment(k8s, target);
    expect(after.spec?.replicas).toBe(4);
    expect(after.spec?.template.spec?.containers[0]?.image).toBe('rollout-lab/myapp:v1.0');
    expect(after.spec?.minReadySeconds).toBe(3);
  });
});
