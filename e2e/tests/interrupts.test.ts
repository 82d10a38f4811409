import { getDeployment } from '@rollout-lab/rollout';
import { describe, expect } from 'vitest';
import { cluster, deployThenUpgrade, interrupt, rolloutCli, useNamespace } from '../support/cluster.js';
import { scenario } from '../support/scenarios.js';

// SIGINT in the middle of a write: the CLI says what may already be in the cluster, status explains,
// and running the same command again converges. Revisions of each: 1 = v1, 2 = v2 (set up), 3 = v1 again.
describe('interrupted commands converge when run again', () => {
  const k8s = cluster();
  // Each command on a Deployment of its own (revision 1 v1.0, revision 2 v2.0), so that both run at once.
  const setup = (namespace: string) =>
    deployThenUpgrade(k8s, 'overlays/rolling', { namespace, name: 'deploy-myapp' });
  const ns = useNamespace('rl-interrupts', setup);
  const undone = useNamespace('rl-interrupts-undo', setup);

  scenario('set-image interrupted by SIGINT: status explains, the same command converges', async () => {
    const args = [
      'set-image',
      'deploy-myapp',
      'myapp=rollout-lab/myapp:v1.0',
      '--cause',
      'back to v1',
      '--wait',
      '-n',
      ns.name,
    ];
    const cut = await interrupt(args, /image updated/);
    expect(cut.code, cut.stderr).toBe(130);
    expect(cut.stderr).toContain('interrupted: the new template may already be in the cluster');
    const status = await rolloutCli(['status', 'deploy-myapp', '--wait', '-n', ns.name]);
    expect(status).toMatchObject({ code: 0 });
    expect(status.stdout).toContain('successfully rolled out');
    const again = await rolloutCli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      `deployment deploy-myapp in namespace ${ns.name} already runs myapp=rollout-lab/myapp:v1.0`,
    );
  });

  scenario('undo interrupted by SIGINT: the same undo --to-revision converges', async () => {
    const args = ['undo', 'deploy-myapp', '--to-revision', '1', '--wait', '-n', undone.name];
    const cut = await interrupt(args, /rolled back/);
    expect(cut.code, cut.stderr).toBe(130);
    expect(cut.stderr).toContain('interrupted: the rollback may already be in the cluster');
    const again = await rolloutCli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      'skipped rollback (current template already matches revision 1, now revision 3)',
    );
    const target = { namespace: undone.name, name: 'deploy-myapp' };
    expect((await getDeployment(k8s, target)).spec?.template.spec?.containers[0]?.image).toBe(
      'rollout-lab/myapp:v1.0',
    );
  });
});
