import { describe, expect, it } from 'vitest';
import { $ } from 'zx';
import {
  cluster,
  deploy,
  kubectl,
  resourceVersion,
  rolloutCli,
  serviceAccountKubeconfig,
  useNamespace,
} from '../support/cluster.js';
import { kindCluster, nodePortRange } from '../support/env.js';

describe('security', () => {
  const k8s = cluster();
  let saConfig: string;
  /** kubectl as the ServiceAccount; never throws: the exit code is the test's to judge. */
  const as = (args: string[]) =>
    $({
      quiet: true,
      nothrow: true,
    })`${process.env.ROLLOUT_LAB_KUBECTL ?? 'kubectl'} --kubeconfig ${saConfig} ${args}`;
  // What is asserted here is who may do what, not traffic: one pod where a rollout is run (its three
  // rollouts take a third of the time), none where a Deployment only has to exist.
  const other = useNamespace('rl-security-other', (namespace) =>
    deploy(k8s, 'base/deployment', namespace, [], { replicas: { 'deploy-myapp': 0 } }),
  );
  const ns = useNamespace('rl-security', async (namespace) => {
    await deploy(k8s, 'rbac', namespace, []);
    await deploy(k8s, 'base', namespace, ['deploy-myapp'], { replicas: { 'deploy-myapp': 1 } });
    saConfig = await serviceAccountKubeconfig('rollout-operator', namespace);
  });

  it('enforces Pod Security "restricted" in the test namespaces, and the workloads pass it', async () => {
    const labels = JSON.parse(
      (await kubectl(['get', 'namespace', ns.name, '-o', 'jsonpath={.metadata.labels}'])).stdout,
    );
    expect(labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(
      (
        await kubectl([
          'get',
          'deployment',
          'deploy-myapp',
          '-n',
          ns.name,
          '-o',
          'jsonpath={.status.readyReplicas}',
        ])
      ).stdout,
    ).toBe('1');
    const privileged = await kubectl([
      'run',
      'intruder',
      '--image=rollout-lab/myapp:v1.0',
      '--privileged',
      '-n',
      ns.name,
    ]).nothrow();
    expect(privileged.exitCode).not.toBe(0);
    expect(privileged.stderr).toContain('violates PodSecurity "restricted:latest"');
  });

  it('lets the least-privilege ServiceAccount run the rollout CLI in its namespace', async () => {
    const env = { KUBECONFIG: saConfig };
    const history = await rolloutCli(['history', 'deploy-myapp', '-n', ns.name], env);
    expect(history).toMatchObject({ code: 0 });
    expect(history.stdout).toContain('initial deploy: myapp v1.0');
    const set = await rolloutCli(
      ['set-image', 'deploy-myapp', 'myapp=rollout-lab/myapp:v2.0', '--wait', '-n', ns.name],
      env,
    );
    expect(set.stderr).not.toMatch(/^error:/m);
    expect(set.code, set.stderr).toBe(0);
    const undo = await rolloutCli(['undo', 'deploy-myapp', '--wait', '-n', ns.name], env);
    expect(undo.code, undo.stderr).toBe(0);
    const restart = await rolloutCli(['restart', 'deploy-myapp', '--wait', '-n', ns.name], env);
    expect(restart.code, restart.stderr).toBe(0);
  });

  it('lets that ServiceAccount patch images and replicas only (ValidatingAdmissionPolicy), not mount a Secret, change its identity or set externalIPs', async () => {
    const patch = (kind: string, name: string, body: object) =>
      as(['patch', kind, name, '-n', ns.name, '--dry-run=server', '-p', JSON.stringify(body)]);
    const secretMount = {
      spec: {
        template: {
          spec: {
            volumes: [{ name: 'stolen', secret: { secretName: 'anything' } }],
            containers: [{ name: 'myapp', volumeMounts: [{ name: 'stolen', mountPath: '/stolen' }] }],
          },
        },
      },
    };
    const identity = { spec: { template: { spec: { serviceAccountName: 'default' } } } };
    const externalIPs = { spec: { externalIPs: ['203.0.113.7'] } };
    const before = await resourceVersion('deployment', 'deploy-myapp', ns.name);
    // The policy takes a moment to reach the API server after it is created: dry runs until it answers
    // (a dry run never changes anything, refused or not).
    const deadline = Date.now() + 30_000;
    let refused = await patch('deployment', 'deploy-myapp', identity);
    while (refused.exitCode === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      refused = await patch('deployment', 'deploy-myapp', identity);
    }
    const denied =
      "ValidatingAdmissionPolicy 'rollout-operator-changes' with binding 'rollout-operator-changes' denied request";
    expect(refused.stderr).toContain(denied);
    for (const [kind, name, body] of [
      ['deployment', 'deploy-myapp', secretMount],
      ['deployment', 'deploy-myapp', { spec: { template: { spec: { hostNetwork: true } } } }],
      ['service', 'svc-myapp', externalIPs],
    ] as const) {
      const r = await patch(kind, name, body);
      expect(r.exitCode, JSON.stringify(body)).not.toBe(0);
      expect(r.stderr).toContain(denied);
    }
    // What the CLI writes still passes: an image, the replica count.
    expect((await patch('deployment', 'deploy-myapp', { spec: { replicas: 2 } })).exitCode).toBe(0);
    expect(await resourceVersion('deployment', 'deploy-myapp', ns.name)).toBe(before);
  });

  it('refuses that ServiceAccount everything else', async () => {
    for (const args of [
      ['delete', 'namespace', ns.name],
      ['get', 'secrets', '-n', ns.name],
      ['delete', 'deployment', 'deploy-myapp', '-n', ns.name],
      ['get', 'deployments', '-n', other.name],
    ]) {
      const r = await as(args);
      expect(r.exitCode, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toContain('Forbidden');
    }
    const cli = await rolloutCli(['history', 'deploy-myapp', '-n', other.name], { KUBECONFIG: saConfig });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(
      /^error: deployment deploy-myapp in namespace rl-security-other-\w+: forbidden: /,
    );
  });

  it('publishes NodePorts and the API server on 127.0.0.1 only (kind)', async () => {
    if (!kindCluster) return void console.log('not a kind cluster of ours: skipped the port check');
    const ports = await $({ quiet: true })`docker port ${kindCluster}-control-plane`;
    const lines = ports.stdout.trim().split('\n');
    const { first, last } = nodePortRange();
    expect(lines.length).toBe(last - first + 2); // the NodePorts + the API server
    for (const line of lines) expect(line).toMatch(/-> 127\.0\.0\.1:\d+$/);
  });

  it('keeps tokens out of the images and the logs', async () => {
    const env = (
      await $({
        quiet: true,
        nothrow: true,
      })`docker image inspect -f ${'{{json .Config.Env}}'} rollout-lab/myapp:v1.0`
    ).stdout;
    if (env) expect(env).not.toMatch(/TOKEN|SECRET|PASSWORD|KEY=/i);
    const logs = (await kubectl(['logs', 'deployment/deploy-myapp', '-n', ns.name, '--all-containers']))
      .stdout;
    expect(logs).toContain('event=listening');
    expect(logs).not.toMatch(/token|secret|password|eyJhbGci/i);
  });
});
