import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestsRoot } from '@rollout-lab/manifests';
import { type Cluster, connect, waitForRollout } from '@rollout-lab/rollout';
import { afterAll, beforeAll } from 'vitest';
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
async function createNamespace(prefix: string): Promise<{ name: string; remove: () => Promise<void> }> {
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

/** Any kustomization under k8s/, e.g. "base/deployment" (a Deployment without its Service). */
export async function applyKustomization(path: string, namespace: string): Promise<void> {
  await kubectl(['apply', '-n', namespace, '-k', `${manifestsRoot}/${path}`]);
}

/** The rollout library's handle on the cluster under test. */
export function cluster(): Cluster {
  return connect({ context: process.env.ROLLOUT_LAB_CONTEXT });
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

export interface TestNamespace {
  readonly name: string;
}

/**
 * One namespace per test file: created (restricted Pod Security) and set up before its tests, deleted
 * after them. NodePorts are cluster-wide, so files that use the same one run one after another.
 */
export function useNamespace(
  prefix: string,
  setup: (namespace: string) => Promise<void> = async () => {},
): TestNamespace {
  let created: Awaited<ReturnType<typeof createNamespace>> | undefined;
  beforeAll(async () => {
    created = await createNamespace(prefix);
    await setup(created.name);
  });
  afterAll(async () => {
    await created?.remove();
  });
  return {
    get name() {
      if (!created) throw new Error(`namespace ${prefix}-… is not created yet`);
      return created.name;
    },
  };
}

/** Applies a kustomization under k8s/ ("overlays/rolling", "rbac", …) and waits for these Deployments. */
export async function deploy(
  k8s: Cluster,
  path: string,
  namespace: string,
  deployments: string[],
): Promise<void> {
  await applyKustomization(path, namespace);
  for (const name of deployments) await waitForRollout(k8s, { namespace, name }, { untilOldPodsGone: true });
}

/** A kubeconfig for a ServiceAccount alone: the cluster's address and CA, and a 10-minute token. */
export async function serviceAccountKubeconfig(serviceAccount: string, namespace: string): Promise<string> {
  const token = (
    await kubectl(['create', 'token', serviceAccount, '-n', namespace, '--duration=10m'])
  ).stdout.trim();
  const view = JSON.parse((await kubectl(['config', 'view', '--raw', '--minify', '-o', 'json'])).stdout);
  const file = join(mkdtempSync(join(tmpdir(), 'rl-sa-')), 'config');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'cluster', cluster: view.clusters[0].cluster }],
    users: [{ name: serviceAccount, user: { token } }],
    contexts: [{ name: serviceAccount, context: { cluster: 'cluster', user: serviceAccount, namespace } }],
    'current-context': serviceAccount,
  };
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  return file;
}
