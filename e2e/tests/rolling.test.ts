import { setImage, type Target, waitForRollout } from '@rollout-lab/rollout';
import { assertNoErrors, assertPhases, assertVersions, type RequestRecord } from '@rollout-lab/traffic';
import { describe, expect } from 'vitest';
import { cluster, deploy, type TestNamespace, useNamespace } from '../support/cluster.js';
import { scenario } from '../support/scenarios.js';
import { report, run, sleep, TAKEOVER_RUN } from '../support/traffic.js';

// Seed §6: kubectl set image on deploy-myapp, old pods replaced one by one, checked by machine.
// Both directions run side by side, each in its own namespace: v1 → v2 from the overlay as shipped, and
// v2 → v1 from the same overlay deployed at v2.
describe('rolling update v1 → v2 (seed §6)', () => {
  const k8s = cluster();
  const up = useNamespace('rl-rolling-up', (namespace) =>
    deploy(k8s, 'overlays/rolling', namespace, ['deploy-myapp']),
  );
  const down = useNamespace('rl-rolling-down', (namespace) =>
    deploy(k8s, 'overlays/rolling', namespace, ['deploy-myapp'], {
      images: { myapp: 'rollout-lab/myapp:v2.0' },
    }),
  );

  const rollTo = async (ns: TestNamespace, image: string, cause: string, keepAlive: boolean) => {
    const target: Target = { namespace: ns.name, name: 'deploy-myapp' };
    const traffic = await run({ url: ns.url(), rate: 50, keepAlive });
    await sleep(3000);
    traffic.mark('change');
    const outcome = await setImage(k8s, target, { myapp: image }, { cause });
    expect(outcome.changed).toBe(true);
    await waitForRollout(k8s, target, { untilOldPodsGone: true });
    const rolloutMs = traffic.mark('old pods gone') - (traffic.marks.change ?? 0);
    await sleep(3000);
    return { records: await traffic.finish(1000), rolloutMs, marks: traffic.marks };
  };

  scenario('goes v1 → mixed → v2 with fresh connections and not one failed request', async () => {
    const { records, rolloutMs, marks } = await rollTo(
      up,
      'rollout-lab/myapp:v2.0',
      'upgrade to myapp v2.0',
      false,
    );
    await report(
      'rolling v1 to v2 (fresh connections)',
      records,
      {
        'rollout until old pods gone (s)': rolloutMs / 1000,
      },
      { marks },
    );
    expect(records.length).toBeGreaterThanOrEqual(1000);
    assertNoErrors(records);
    assertVersions(records, ['v1', 'v2']);
    assertPhases(records, ['v1', 'mixed', 'v2'], TAKEOVER_RUN);
  });

  scenario('goes back v2 → v1 with keep-alive clients and still not one failed request', async () => {
    const { records, rolloutMs, marks } = await rollTo(
      down,
      'rollout-lab/myapp:v1.0',
      'back to myapp v1.0',
      true,
    );
    await report(
      'rolling v2 to v1 (keep-alive)',
      records,
      {
        'rollout until old pods gone (s)': rolloutMs / 1000,
      },
      { marks },
    );
    expect(records.length).toBeGreaterThanOrEqual(1000);
    assertNoErrors(records);
    assertVersions(records, ['v1', 'v2']);
    const answers = records.filter((r): r is RequestRecord & { version: string } => Boolean(r.version));
    // Kept-alive connections follow their pod, so the mix may switch at once; it must start all v2 and end all v1.
    expect(new Set(answers.slice(0, 100).map((r) => r.version))).toEqual(new Set(['v2']));
    expect(new Set(answers.slice(-100).map((r) => r.version))).toEqual(new Set(['v1']));
  });
});
