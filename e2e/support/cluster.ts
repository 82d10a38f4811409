import { randomBytes } from 'node:crypto';
import { manifestsRoot, overlayDir } from '@rollout-lab/manifests';
import { type Cluster, connect } from '@rollout-lab/rollout';
import { $ } from 'zx';

/**
 * The cluster under test: the kind cluster `pnpm e2e` made (KUBECONFIG), or any cluster given
 * KUBECONFIG, optionally ROLLOUT_LAB_CONTEXT, and ROLLOUT_LAB_BASE_URL (where NodePorts answer).
 */
const kubectlBin = process.env.ROLLOUT_LAB_KUBECTL ?? 'kubectl';
const context = process.env.ROLLOUT_LAB_CONTEXT;

export const kubectl = (args: string[], input?: string) =>
  $({ quiet: true, input })`${kubectlBin} ${context ? [`--context=${context}`] : []} ${args}`;

/** URL of a NodePort: 127.0.0.1 on kind (published there only), else ROLLOUT_LAB_BASE_URL's host. */
export function nodePortUrl(nodePort: number, path = '/'): string {
  const base = new URL(process.env.ROLLOUT_LAB_BASE_URL ?? 'http://127.0.0.1');
  base.port = String(nodePort);
  base.pathname = path;
  return base.toString();
}

/** A fresh namespace, labelled for Pod Security "restricted" (enforced), deleted by the returned function. */
export async function createNamespace(
  prefix: string,
): Promise<{ name: string; remove: () => Promise<void> }> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kubectl(['create', 'namespace', name]);
  await kubectl([
    'label',
    'namespace',
    name,
    'pod-security.kubernetes.io/enforce=restricted',
    'pod-security.kubernetes.io/enforce-version=latest',
  ]);
  return {
    name,
    remove: async () => {
      await kubectl(['delete', 'namespace', name, '--wait=true', '--timeout=120s']).nothrow();
    },
  };
}

export async function applyOverlay(overlay: string, namespace: string): Promise<void> {
  await kubectl(['apply', '-n', namespace, '-k', overlayDir(overlay)]);
}

/** Any kustomization under k8s/, e.g. "base/deployment" (a Deployment without its Service). */
export async function applyKustomization(path: string, namespace: string): Promise<void> {
  await kubectl(['apply', '-n', namespace, '-k', `${manifestsRoot}/${path}`]);
}

/** The rollout library's handle on the cluster under test. */
export function cluster(): Cluster {
  return connect({ context: process.env.ROLLOUT_LAB_CONTEXT });
}

export async function waitForRollout(namespace: string, deployment: string, timeout = '180s'): Promise<void> {
  await kubectl(['rollout', 'status', '-n', namespace, `deployment/${deployment}`, `--timeout=${timeout}`]);
}

export async function podNames(namespace: string, selector: string): Promise<string[]> {
  const out = await kubectl([
    'get',
    'pods',
    '-n',
    namespace,
    '-l',
    selector,
    '-o',
    'jsonpath={.items[*].metadata.name}',
  ]);
  return out.stdout.trim().split(/\s+/).filter(Boolean).sort();
}

/** Waits until exactly `count` pods match and none is terminating (kubectl's rollout status ignores those). */
export async function waitForPods(
  namespace: string,
  selector: string,
  count: number,
  timeoutMs = 120_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await kubectl([
      'get',
      'pods',
      '-n',
      namespace,
      '-l',
      selector,
      '-o',
      'jsonpath={range .items[*]}{.metadata.name} {.metadata.deletionTimestamp}{"\\n"}{end}',
    ]);
    const rows = out.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.trim().split(' '));
    if (rows.length === count && rows.every((r) => r.length === 1))
      return rows.map((r) => r[0] as string).sort();
    if (Date.now() > deadline)
      throw new Error(`pods ${selector} in ${namespace}: ${JSON.stringify(rows)}, want ${count} running`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export const cliPath = new URL('../../packages/rollout/dist/cli.js', import.meta.url).pathname;

/** Runs the rollout CLI; never throws: exit code and output are for the test to judge. */
export async function rolloutCli(args: string[], env: Record<string, string> = {}) {
  const context = process.env.ROLLOUT_LAB_CONTEXT ? ['--context', process.env.ROLLOUT_LAB_CONTEXT] : [];
  const out = await $({
    quiet: true,
    nothrow: true,
    env: { ...process.env, ...env },
  })`node ${cliPath} ${args} ${context}`;
  return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr.trim() };
}

export async function resourceVersion(kind: string, name: string, namespace: string): Promise<string> {
  return (
    await kubectl(['get', kind, name, '-n', namespace, '-o', 'jsonpath={.metadata.resourceVersion}'])
  ).stdout.trim();
}
