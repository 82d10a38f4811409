import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForRollout } from '@rollout-lab/rollout';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { applyKustomization, cluster, createNamespace, kubectl, rolloutCli } from '../support/cluster.js';

describe('security', () => {
  const k8s = cluster();
  let ns: Awaited<ReturnType<typeof createNamespace>>;
  let other: Awaited<ReturnType<typeof createNamespace>>;
  let saConfig: string;
  beforeAll(async () => {
    [ns, other] = await Promise.all([createNamespace('rl-security'), createNamespace('rl-security-other')]);
    await Promise.all([
      applyKustomization('base/deployment', ns.name),
      applyKustomization('base/deployment', other.name),
    ]);
    await applyKustomization('rbac', ns.name);
    await waitForRollout(k8s, { namespace: ns.name, name: 'deploy-myapp' });
    // A kubeconfig for the ServiceAccount alone: the cluster's address and CA, and a short-lived token.
    const token = (
      await kubectl(['create', 'token', 'rollout-operator', '-n', ns.name, '--duration=10m'])
    ).stdout.trim();
    const view = JSON.parse((await kubectl(['config', 'view', '--raw', '--minify', '-o', 'json'])).stdout);
    const clusterEntry = view.clusters[0];
    saConfig = join(mkdtempSync(join(tmpdir(), 'rl-sa-')), 'config');
    writeFileSync(
      saConfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: clusterEntry.cluster }],
        users: [{ name: 'rollout-operator', user: { token } }],
        contexts: [{ name: 'sa', context: { cluster: 'c', user: 'rollout-operator', namespace: ns.name } }],
        'current-context': 'sa',
      }),
      { mode: 0o600 },
    );
  });
  afterAll(async () => {
    await Promise.all([ns?.remove(), other?.remove()]);
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
    ).toBe('3');
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
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    const undo = await rolloutCli(['undo', 'deploy-myapp', '--wait', '-n', ns.name], env);
    expect(undo.code).toBe(0);
  });

  it('refuses that ServiceAccount everything else', async () => {
    const as = (args: string[]) =>
      $({
        quiet: true,
        nothrow: true,
      })`${process.env.ROLLOUT_LAB_KUBECTL ?? 'kubectl'} --kubeconfig ${saConfig} ${args}`;
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
    const node = 'rollout-lab-control-plane';
    const ports = await $({ quiet: true, nothrow: true })`docker port ${node}`;
    if (ports.exitCode !== 0) return void console.log('not a kind cluster of ours: skipped the port check');
    const lines = ports.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(11); // 10 NodePorts + the API server
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
