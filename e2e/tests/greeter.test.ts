import { history, setImage, type Target, waitForRollout } from '@rollout-lab/rollout';
import { assertNoErrors, assertPhases, assertVersions } from '@rollout-lab/traffic';
import { describe, expect, it } from 'vitest';
import { cluster, deploy, useNamespace } from '../support/cluster.js';
import { report, run, sleep, TAKEOVER_RUN } from '../support/traffic.js';

// A service that is not myapp (examples/greeter: port 9090, a 4 s start, /health/* probes, no rollout-lab
// code), adopted with the steps of examples/README.md, rolled out with the public packages alone.
describe('examples/greeter: your own service', () => {
  const k8s = cluster();
  const ns = useNamespace('rl-greeter', (namespace) =>
    deploy(k8s, '../examples/greeter/k8s', namespace, ['deploy-greeter']),
  );

  it('rolls 1.0 → 2.0 with not one failed request, though each pod takes 4 s to become ready', async () => {
    const target: Target = { namespace: ns.name, name: 'deploy-greeter' };
    // greeter answers JSON: its version comes from the X-App-Version header.
    const traffic = await run({ url: ns.url(), rate: 50, classifier: 'header' });
    await sleep(3000);
    traffic.mark('change');
    const outcome = await setImage(
      k8s,
      target,
      { greeter: 'rollout-lab/greeter:2.0' },
      { cause: 'greeter 2.0' },
    );
    expect(outcome.changed).toBe(true);
    await waitForRollout(k8s, target, { untilOldPodsGone: true });
    const rolloutMs = traffic.mark('old pods gone') - (traffic.marks.change ?? 0);
    await sleep(3000);
    const records = await traffic.finish(1000);
    await report(
      'greeter 1.0 to 2.0 (examples/)',
      records,
      {
        'rollout until old pods gone (s)': rolloutMs / 1000,
      },
      { marks: traffic.marks },
    );
    expect(records.length).toBeGreaterThanOrEqual(1000);
    assertNoErrors(records);
    assertVersions(records, ['v1.0', 'v2.0']);
    assertPhases(records, ['v1.0', 'mixed', 'v2.0'], TAKEOVER_RUN);
    // Three new pods, each at least 4 s from start to ready: the rollout cannot have been quicker.
    expect(rolloutMs).toBeGreaterThan(12_000);
    expect((await history(k8s, target)).map((r) => [r.revision, r.changeCause])).toEqual([
      [1, 'initial deploy: greeter 1.0'],
      [2, 'greeter 2.0'],
    ]);
  });
});
