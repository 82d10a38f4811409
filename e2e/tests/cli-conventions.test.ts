import { getDeployment } from '@rollout-lab/rollout';
import { describe, expect, it } from 'vitest';
import {
  cluster,
  deploy,
  expectSuccess,
  kubectl,
  resourceVersion,
  rolloutCli,
  serviceAccountKubeconfig,
  useNamespace,
} from '../support/cluster.js';
import { sleep } from '../support/traffic.js';

/** The CLI with one kubeconfig and nothing else of the suite's (no --context). */
const as = (kubeconfig: string, args: string[]) => rolloutCli(args, { KUBECONFIG: kubeconfig });

// kubectl's conventions on a live cluster: the namespace from the kubeconfig context, --dry-run=client
// and --dry-run=server on every write, and a multi-object operation that meets a concurrent change.
describe('CLI conventions against the API server', () => {
  const k8s = cluster();
  const admin = process.env.KUBECONFIG as string;
  /** A ServiceAccount that may read Deployments and Services but not change them; its kubeconfig names the namespace. */
  let reader = '';
  const ns = useNamespace('rl-cli', async (namespace) => {
    const objects = [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader' } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'reader' },
        rules: [
          { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: [''], resources: ['services'], verbs: ['get', 'list'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace }],
      },
    ];
    await kubectl(
      ['apply', '-n', namespace, '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
    );
    [reader] = await Promise.all([
      serviceAccountKubeconfig('reader', namespace),
      deploy(k8s, 'overlays/canary', namespace, ['deploy-myapp', 'deploy-myapp-canary']),
    ]);
  });
  // The split race has a namespace of its own, so it runs beside the dry runs (which need theirs
  // unchanged): it mostly waits for pods 10 s from ready, they mostly start CLI processes.
  const race = useNamespace('rl-cli-race', (namespace) =>
    deploy(k8s, 'overlays/canary', namespace, ['deploy-myapp', 'deploy-myapp-canary']),
  );

  it('takes the namespace from the kubeconfig context when -n is absent; -n wins over it', async () => {
    const history = await as(reader, ['history', 'deploy-myapp']);
    expect(history.stderr).toBe('');
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toMatch(/^deployment\.apps\/deploy-myapp \nREVISION +CHANGE-CAUSE\n1 /);
    const elsewhere = await as(reader, ['history', 'deploy-myapp', '-n', 'default']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/^error: deployment deploy-myapp in namespace default: forbidden: /);
  });

  it.concurrent('--dry-run=client sends nothing; --dry-run=server is judged by the API server (RBAC) and stores nothing', async () => {
    const versions = async () =>
      Promise.all(
        ['deploy-myapp', 'deploy-myapp-canary'].map((d) => resourceVersion('deployment', d, ns.name)),
      );
    const before = await versions();
    const writes = [
      ['scale', 'deploy-myapp', '--replicas', '5'],
      ['set-image', 'deploy-myapp', 'myapp=rollout-lab/myapp:v2.0'],
      ['restart', 'deploy-myapp'],
      ['pause', 'deploy-myapp'],
      ['canary', 'deploy-myapp', 'deploy-myapp-canary', '--weight', '50'],
      ['promote', 'deploy-myapp', 'deploy-myapp-canary'],
      ['abort', 'deploy-myapp', 'deploy-myapp-canary'],
    ];
    for (const args of writes) {
      // The reader may read: a client dry run needs nothing more. A server dry run is a real request,
      // and RBAC refuses it as it would the write.
      const client = await as(reader, [...args, '--dry-run=client']);
      expect(client.stderr, args.join(' ')).toBe('');
      expect(client.stdout).toMatch(/ \(dry run\)\n/);
      const refused = await as(reader, [...args, '--dry-run=server']);
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr).toMatch(/forbidden: .*cannot patch resource "deployments"/);
      const server = await as(admin, [...args, '--dry-run=server', '-n', ns.name]);
      expect(server.stderr, args.join(' ')).toBe('');
      expect(server.stdout).toMatch(/ \(server dry run\)\n/);
    }
    expect(await versions()).toEqual(before);
  });

  it.concurrent('a scale made while a canary split waits is kept and reported, never overwritten; a rerun splits anew', async () => {
    // The canary's new pod takes 10 s to be ready: the split waits that long between its two writes.
    await kubectl([
      'patch',
      'deployment',
      'deploy-myapp-canary',
      '-n',
      race.name,
      '-p',
      JSON.stringify({
        spec: {
          template: {
            spec: { containers: [{ name: 'myapp', readinessProbe: { initialDelaySeconds: 10 } }] },
          },
        },
      }),
    ]);
    await kubectl(['rollout', 'status', 'deployment/deploy-myapp-canary', '-n', race.name, '--timeout=120s']);
    const splitHalf = () =>
      as(admin, ['canary', 'deploy-myapp', 'deploy-myapp-canary', '--weight', '50', '-n', race.name]);
    const split = splitHalf();
    const canary = { namespace: race.name, name: 'deploy-myapp-canary' };
    const deadline = Date.now() + 30_000;
    while ((await getDeployment(k8s, canary)).spec?.replicas !== 2) {
      if (Date.now() > deadline) throw new Error('the split never scaled the canary to 2');
      await sleep(50);
    }
    await kubectl(['scale', 'deployment/deploy-myapp', '--replicas=5', '-n', race.name]);
    const result = await split;
    expect(result.code).toBe(1);
    // Progress lines first (the canary's rollout), then the one error line.
    expect(result.stderr.split('\n').at(-1)).toMatch(
      /^error: deployment deploy-myapp in namespace \S+ was changed by someone else meanwhile \(generation \d+ → \d+\); the split stopped after deploy-myapp-canary → 2; their change is kept; `rollout canary deploy-myapp deploy-myapp-canary --weight 50` again decides from the new state$/,
    );
    const stable = await getDeployment(k8s, { namespace: race.name, name: 'deploy-myapp' });
    expect(stable.spec?.replicas).toBe(5);
    const again = await splitHalf();
    expectSuccess(again);
    expect(again.stdout).toContain(
      'canary 50 %: deploy-myapp 3, deploy-myapp-canary 4 of 7 replicas (57.1 %',
    );
  });
});
