import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHANGE_CAUSE,
  formatHistory,
  getDeployment,
  history,
  type Target,
  undo,
  waitForRollout,
} from '@rollout-lab/rollout';
import { assertNoErrors, assertPhases } from '@rollout-lab/traffic';
import { describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { cliPath, cluster, deployThenUpgrade, kubectl, useNamespace } from '../support/cluster.js';
import { report, run, sleep, TAKEOVER_RUN } from '../support/traffic.js';

const KUBECTL = process.env.ROLLOUT_LAB_KUBECTL ?? 'kubectl';

const trimLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');

// Seed §7: rollout history with change-causes, and undo to revision 1 — compared with kubectl's own.
describe('history and rollback (seed §7)', () => {
  const k8s = cluster();
  // Ours and a twin (the same Deployment without a Service), both at v2 through one rolling update.
  const ns = useNamespace('rl-history', (namespace) =>
    deployThenUpgrade(k8s, 'overlays/rolling', { namespace, name: 'deploy-myapp' }),
  );
  const twinNs = useNamespace('rl-twin', (namespace) =>
    deployThenUpgrade(k8s, 'base/deployment', { namespace, name: 'deploy-myapp' }),
  );
  const target = (): Target => ({ namespace: ns.name, name: 'deploy-myapp' });
  const twin = (): Target => ({ namespace: twinNs.name, name: 'deploy-myapp' });
  // kubectl's own undo of the twin runs while ours is measured; the comparison waits for it.
  let twinUndone: Promise<void> | undefined;

  it('lists the change-causes exactly as kubectl rollout history does', async () => {
    const rows = await history(k8s, target());
    expect(rows.map((r) => [r.revision, r.changeCause])).toEqual([
      [1, 'initial deploy: myapp v1.0'],
      [2, 'upgrade to myapp v2.0'],
    ]);
    const theirs = (await kubectl(['rollout', 'history', 'deployment/deploy-myapp', '-n', ns.name])).stdout;
    expect(trimLines(formatHistory('deploy-myapp', rows))).toBe(trimLines(theirs));
    const cli = await $({
      quiet: true,
    })`node ${new URL('../../packages/rollout/bundle/cli.mjs', import.meta.url).pathname} history deploy-myapp -n ${ns.name}`;
    expect(trimLines(cli.stdout)).toBe(trimLines(theirs));
    // The same CLI as a kubectl plugin: an executable named kubectl-rollout_lab on PATH is found by
    // kubectl as `kubectl rollout-lab` (docs/library.md: "As a kubectl plugin").
    const bin = mkdtempSync(join(tmpdir(), 'rl-plugin-'));
    symlinkSync(cliPath, join(bin, 'kubectl-rollout_lab'));
    const path = `${bin}:${process.env.PATH}`;
    // `plugin list` exits 1 over any PATH folder it cannot read, so its exit code says nothing here.
    const plugins = await $({
      quiet: true,
      nothrow: true,
      env: { ...process.env, PATH: path },
    })`${KUBECTL} plugin list`;
    expect(plugins.stdout).toContain(join(bin, 'kubectl-rollout_lab'));
    const plugin = await $({
      quiet: true,
      env: { ...process.env, PATH: path },
    })`${KUBECTL} rollout-lab history deploy-myapp -n ${ns.name}`;
    expect(trimLines(plugin.stdout)).toBe(trimLines(theirs));
    console.log(`kubectl rollout history:\n${theirs}`);
  });

  it('undoes to revision 1 with not one failed request; revision 1 becomes revision 3', async () => {
    twinUndone = (async () => {
      await kubectl(['rollout', 'undo', 'deployment/deploy-myapp', '--to-revision=1', '-n', twinNs.name]);
      await waitForRollout(k8s, twin(), { untilOldPodsGone: true });
    })();
    twinUndone.catch(() => {}); // judged where it is awaited
    const traffic = await run({ url: ns.url(), rate: 50 });
    await sleep(3000);
    traffic.mark('undo');
    const outcome = await undo(k8s, target(), 1);
    expect(outcome).toMatchObject({ changed: true, revision: 1 });
    await waitForRollout(k8s, target(), { untilOldPodsGone: true });
    const rolloutMs = traffic.mark('old pods gone') - (traffic.marks.undo ?? 0);
    await sleep(3000);
    const records = await traffic.finish(1000);
    await report(
      'undo to revision 1',
      records,
      { 'rollback until old pods gone (s)': rolloutMs / 1000 },
      { marks: traffic.marks },
    );
    assertNoErrors(records);
    assertPhases(records, ['v2', 'mixed', 'v1'], TAKEOVER_RUN);
    const rows = await history(k8s, target());
    expect(rows.map((r) => [r.revision, r.changeCause, r.images.myapp, r.current])).toEqual([
      [2, 'upgrade to myapp v2.0', 'rollout-lab/myapp:v2.0', false],
      [3, 'initial deploy: myapp v1.0', 'rollout-lab/myapp:v1.0', true],
    ]);
  });

  it('leaves the same pod template and annotations as kubectl rollout undo on a twin', async () => {
    await twinUndone;
    const [ours, theirs] = await Promise.all([getDeployment(k8s, target()), getDeployment(k8s, twin())]);
    expect(JSON.parse(JSON.stringify(ours.spec?.template))).toEqual(
      JSON.parse(JSON.stringify(theirs.spec?.template)),
    );
    expect(ours.metadata?.annotations?.[CHANGE_CAUSE]).toBe(theirs.metadata?.annotations?.[CHANGE_CAUSE]);
    expect((await history(k8s, twin())).map((r) => r.revision)).toEqual([2, 3]);
  });

  it('refuses an unknown revision, naming the known ones, and changes nothing', async () => {
    const before = (await getDeployment(k8s, target())).metadata?.resourceVersion;
    await expect(undo(k8s, target(), 7)).rejects.toThrow('revision 7 not found; known: 2, 3');
    expect((await getDeployment(k8s, target())).metadata?.resourceVersion).toBe(before);
    const again = await undo(k8s, target(), 3);
    expect(again).toMatchObject({
      changed: false,
      message: 'skipped rollback (current template already matches revision 3)',
    });
  });
});
