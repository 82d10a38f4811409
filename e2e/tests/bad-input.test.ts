import {
  ConflictError,
  DEFAULT_BACKOFF,
  getDeployment,
  patchIfUnchanged,
  withConflictRetry,
} from '@rollout-lab/rollout';
import { describe, expect, it } from 'vitest';
import { cluster, deploy, kubectl, resourceVersion, rolloutCli, useNamespace } from '../support/cluster.js';

// Every refusal: one line, a non-zero exit, and the objects' resourceVersions unchanged.
describe('bad input leaves the cluster unchanged', () => {
  const k8s = cluster();
  // A canary pair and a blue/green pair (with blue-green's Service, for the switch); no canary Service.
  const ns = useNamespace('rl-input', async (namespace) => {
    await Promise.all([
      deploy(k8s, 'overlays/canary/stable', namespace, ['deploy-myapp']),
      deploy(k8s, 'overlays/canary/canary', namespace, ['deploy-myapp-canary']),
      deploy(k8s, 'overlays/blue-green', namespace, ['deploy-myapp-blue']),
    ]);
  });
  const rv = () => resourceVersion('deployment', 'deploy-myapp', ns.name);

  // One at a time: each refusal is a CLI process starting (about a second of CPU); nine at once starved
  // the file running beside this one on two cores (CI: its sampler thread took 2.9 s to start).
  it.each([
    [
      ['set-image', 'nope', 'myapp=rollout-lab/myapp:v2.0'],
      1,
      'error: deployment nope in namespace NS not found',
    ],
    [
      ['set-image', 'deploy-myapp', 'web=rollout-lab/myapp:v2.0'],
      1,
      'error: container web not found in deployment deploy-myapp in namespace NS; known: myapp',
    ],
    [
      ['set-image', 'deploy-myapp', 'myapp=Rollout Lab:latest'],
      2,
      'error: malformed image reference "Rollout Lab:latest"',
    ],
    [['undo', 'deploy-myapp', '--to-revision', '7'], 1, 'error: revision 7 not found; known: 1'],
    [
      ['canary', 'deploy-myapp', 'deploy-myapp-canary', '--weight', '120'],
      2,
      'error: --weight needs a whole number from 0 to 100, got "120"',
    ],
    [
      ['canary', 'deploy-myapp', 'deploy-myapp-canary', '--weight', '10'],
      2,
      'error: a 10 % canary cannot be expressed with 4 replicas in total',
    ],
    [
      ['canary', 'deploy-myapp', 'deploy-myapp-canary', '--weight', '50'],
      2,
      'error: no Service in namespace NS selects the pods of both deploy-myapp and deploy-myapp-canary',
    ],
    [['pause', 'deploy-myapp', '--kubeconfig', '/nonexistent/kubeconfig'], 1, 'error: '],
    [
      ['abort', 'deploy-myapp', 'deploy-myapp'],
      2,
      'error: stable and canary must be two different Deployments, got "deploy-myapp" twice',
    ],
    [
      ['undo', 'deploy-myapp', '2'],
      2,
      'error: undo takes <deployment>, got an extra "2"; for a revision write --to-revision 2',
    ],
    [['history', 'deploy-myapp/../../x'], 2, 'error: "deploy-myapp/../../x" is not a Deployment'],
    [
      ['scale', 'deploy-myapp', '--replicas', '3e3'],
      2,
      'error: --replicas needs a whole number from 0 to 100000, got "3e3"',
    ],
    [['status', 'deploy-myapp', '--timeout', '3000000s'], 2, 'error: --timeout needs a duration like 90s'],
  ])('%j → exit %i, one line, nothing changed', async (args, code, message) => {
    const before = await rv();
    const r = await rolloutCli([...args, '-n', ns.name]);
    expect(r.code).toBe(code);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message.replace('NS', ns.name));
    expect(await rv()).toBe(before);
  });

  it('refuses to switch a Service without a selector (its endpoints are kept by hand)', async () => {
    const manual = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc-manual' },
      spec: { ports: [{ port: 80 }] },
    };
    await kubectl(['apply', '-n', ns.name, '-f', '-'], JSON.stringify(manual));
    const before = await resourceVersion('service', 'svc-manual', ns.name);
    const r = await rolloutCli(['switch', 'green', '--service', 'svc-manual', '-n', ns.name]);
    expect(r).toMatchObject({
      code: 2,
      stderr: `error: service svc-manual in namespace ${ns.name} has no selector; blue/green switches a selector (color: blue|green)`,
    });
    expect(await resourceVersion('service', 'svc-manual', ns.name)).toBe(before);
  });

  it('refuses to promote a canary without ready pods (nothing was proven)', async () => {
    await kubectl(['scale', 'deployment/deploy-myapp-canary', '--replicas=0', '-n', ns.name]);
    await kubectl(['rollout', 'status', 'deployment/deploy-myapp-canary', '-n', ns.name, '--timeout=60s']);
    const before = await rv();
    const r = await rolloutCli(['promote', 'deploy-myapp', 'deploy-myapp-canary', '-n', ns.name]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: deploy-myapp-canary has no ready pods; nothing to promote (rollout canary deploy-myapp deploy-myapp-canary --weight P first)',
    );
    expect(await rv()).toBe(before);
  });

  it('names a namespace that does not exist', async () => {
    const r = await rolloutCli(['history', 'deploy-myapp', '-n', 'no-such-namespace']);
    expect(r).toMatchObject({ code: 1, stderr: 'error: namespace no-such-namespace not found' });
  });

  it('a write decided on a stale read is refused (409), never applied over the newer one', async () => {
    const target = { namespace: ns.name, name: 'deploy-myapp-canary' };
    const stale = await getDeployment(k8s, target);
    await kubectl([
      'annotate',
      'deployment/deploy-myapp-canary',
      'rollout-lab.dev/touched=yes',
      '-n',
      ns.name,
    ]);
    const write = () =>
      patchIfUnchanged(k8s, target, stale, {
        type: 'json',
        ops: [{ op: 'add', path: '/metadata/labels/stale', value: 'written' }],
      });
    await expect(write()).rejects.toBeInstanceOf(ConflictError);
    // A writer that never reads again keeps conflicting, and withConflictRetry says so after its attempts.
    await expect(
      withConflictRetry('deploy-myapp-canary', write, { ...DEFAULT_BACKOFF, attempts: 3 }),
    ).rejects.toThrow(
      'deploy-myapp-canary: still conflicting after 3 attempts; another writer keeps changing it',
    );
    expect((await getDeployment(k8s, target)).metadata?.labels?.stale).toBeUndefined();
  });

  it('refuses to switch to a colour with no ready pods, and leaves Service and Deployment as they were', async () => {
    // The switch brings an image that cannot be pulled, so green never becomes ready: its size and its
    // template go back to what they were (the broken image does not wait there for the next switch).
    const image = () =>
      kubectl([
        'get',
        'deployment',
        'deploy-myapp-green',
        '-n',
        ns.name,
        '-o',
        'jsonpath={.spec.template.spec.containers[0].image} {.spec.replicas}',
      ]);
    const greenBefore = (await image()).stdout;
    const service = await resourceVersion('service', 'svc-myapp', ns.name);
    const r = await rolloutCli([
      'switch',
      'green',
      '--image',
      'myapp=rollout-lab/myapp:v9.9-missing',
      '--timeout',
      '20',
      '-n',
      ns.name,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').at(-1)).toMatch(
      /^error: deploy-myapp-green did not become ready \(timed out after 20 s: .*\); the Service still selects blue$/,
    );
    expect(await resourceVersion('service', 'svc-myapp', ns.name)).toBe(service);
    expect(greenBefore).toBe('rollout-lab/myapp:v2.0 0');
    expect((await image()).stdout).toBe(greenBefore);
  });
});
