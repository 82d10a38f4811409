import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { applyClaimingNodePorts, type K8sObject, manifestsRoot } from '@rollout-lab/manifests';
import {
  type Cluster,
  connect,
  getDeployment,
  scale,
  setImage,
  type Target,
  waitForRollout,
} from '@rollout-lab/rollout';
import { untilAnswering } from '@rollout-lab/traffic';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { $, YAML } from 'zx';
import { E2E_LABEL, kubectl, nodePortRange } from './env.js';
import { recordProbeFailures } from './probes.js';
import { settleSlot, slotsInUse, withSlot } from './slots.js';

/**
 * The cluster under test: the kind cluster `pnpm e2e` made (KUBECONFIG), or any cluster given
 * KUBECONFIG, optionally ROLLOUT_LAB_CONTEXT, and ROLLOUT_LAB_BASE_URL (where NodePorts answer).
 */
export { kubectl };

/** URL of a NodePort: 127.0.0.1 on kind (published there only), else ROLLOUT_LAB_BASE_URL's host. */
export function nodePortUrl(nodePort: number, path = '/'): string {
  const base = new URL(process.env.ROLLOUT_LAB_BASE_URL ?? 'http://127.0.0.1');
  base.port = String(nodePort);
  base.pathname = path;
  return base.toString();
}

/** The rollout library's handle on the cluster under test. */
export function cluster(): Cluster {
  return connect({ context: process.env.ROLLOUT_LAB_CONTEXT });
}

/** NodePorts this test file claimed, by namespace and Service: each file's own, so files can run side by side. */
const claimed = new Map<string, Map<string, number>>();

/** The namespace's main NodePort: svc-myapp's, else its only one. */
const mainPort = (namespace: string): number | undefined => {
  const ports = claimed.get(namespace);
  return ports?.get('svc-myapp') ?? (ports?.size === 1 ? [...ports.values()][0] : undefined);
};

/** The namespace whose Service this file gave the URL's port, if any. */
export function namespaceOfUrl(url: string): string | undefined {
  const port = Number(new URL(url).port);
  for (const [namespace, ports] of claimed) if ([...ports.values()].includes(port)) return namespace;
  return undefined;
}

/** Where this file starts looking for a free NodePort: spread by worker, so that claims rarely collide. */
function candidatePorts(): number[] {
  const { first, last } = nodePortRange();
  const size = last - first + 1;
  const worker = Number(process.env.VITEST_POOL_ID ?? 1);
  const start = ((worker - 1) * 5) % size;
  return Array.from({ length: size }, (_, i) => first + ((start + i) % size));
}

/**
 * Applies the objects; a NodePort Service gets the first port of the published range that the API
 * server lets us allocate. The API server is the one owner of NodePorts, so two files (or a namespace
 * of an earlier run still being deleted) can never end up on the same port.
 */
async function applyClaimingNodePort(objects: K8sObject[], namespace: string): Promise<void> {
  const ports = await applyClaimingNodePorts(objects, candidatePorts(), (items) =>
    kubectl(
      ['apply', '-n', namespace, '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
    ).nothrow(),
  );
  if (ports.size) claimed.set(namespace, ports);
}

export interface DeployOptions {
  /** Container images to set in every rendered Deployment before applying, e.g. { myapp: '…:v2.0' }. */
  images?: Record<string, string>;
  /**
   * The progress deadline of the first rollout only; the rendered one is set once it is done. An
   * overlay's short deadline judges a later release, not the first start of a file's pods side by side.
   */
  firstRolloutDeadlineSeconds?: number;
  /** Replica counts to apply instead of the rendered ones, by Deployment name. */
  replicas?: Record<string, number>;
  /**
   * Keep a set-up's slot to the end (support/slots.ts), for a set-up that starts more pods after this
   * deploy. By default the slot is given back once the named Deployments' pods are Ready (at once when
   * none is named); in a test, outside a set-up, there is no such slot and nothing is given back.
   */
  keepSlot?: boolean;
}

/** Rendered kustomizations by path: the same for every namespace, so rendered once per worker. */
const renderings = new Map<string, Promise<string>>();
const render = (path: string): Promise<string> => {
  let rendered = renderings.get(path);
  if (!rendered) {
    rendered = kubectl(['kustomize', `${manifestsRoot}/${path}`]).then((out) => out.stdout);
    rendered.catch(() => renderings.delete(path));
    renderings.set(path, rendered);
  }
  return rendered;
};

/** Until every pod of these Deployments is updated and Ready (not yet available: minReadySeconds). */
async function untilPodsReady(k8s: Cluster, namespace: string, names: string[], stop: { done: boolean }) {
  for (;;) {
    // A failed read is asked again: waitForRollout, raced beside this, owns the deadline and the errors.
    const all = await Promise.all(names.map((name) => getDeployment(k8s, { namespace, name }))).catch(
      () => [],
    );
    const ready =
      all.length === names.length &&
      all.every((d) => {
        const want = d.spec?.replicas ?? 1;
        const status = d.status ?? {};
        return (
          (status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
          (status.updatedReplicas ?? 0) === want &&
          (status.readyReplicas ?? 0) >= want
        );
      });
    if (ready || stop.done) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Applies a kustomization under k8s/ ("overlays/rolling", "rbac", …) into the namespace, giving its
 * NodePort Service a port of this file's own, and waits for these Deployments.
 */
export async function deploy(
  k8s: Cluster,
  path: string,
  namespace: string,
  deployments: string[],
  options: DeployOptions = {},
): Promise<Map<string, number>> {
  const rendered = await render(path);
  const objects = YAML.parseAllDocuments(rendered)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
  const deadlines = new Map<string, number | undefined>();
  const sizes = new Map<string, number>();
  for (const o of objects) {
    if (o.kind !== 'Deployment') continue;
    const name = o.metadata.name as string;
    sizes.set(name, (o.spec.replicas as number | undefined) ?? 1);
    if (options.replicas?.[name] !== undefined) o.spec.replicas = options.replicas[name];
    for (const c of o.spec.template.spec.containers as Array<{ name: string; image: string }>) {
      c.image = options.images?.[c.name] ?? c.image;
    }
    if (options.firstRolloutDeadlineSeconds !== undefined) {
      deadlines.set(o.metadata.name as string, o.spec.progressDeadlineSeconds as number | undefined);
      o.spec.progressDeadlineSeconds = options.firstRolloutDeadlineSeconds;
    }
  }
  await applyClaimingNodePort(objects, namespace);
  const rollouts = Promise.all(
    deployments.map((name) => waitForRollout(k8s, { namespace, name }, { untilOldPodsGone: true })),
  );
  if (!options.keepSlot) {
    // Once the pods are Ready, the rest only waits: a set-up gives its slot to the next test here.
    const stop = { done: false };
    await Promise.race([rollouts, untilPodsReady(k8s, namespace, deployments, stop)]).finally(() => {
      stop.done = true;
    });
    settleSlot();
  }
  await rollouts;
  for (const [name, seconds] of deadlines) {
    const patch = { spec: { progressDeadlineSeconds: seconds ?? 600 } };
    await kubectl([
      'patch',
      'deployment',
      name,
      '-n',
      namespace,
      '--type=merge',
      '-p',
      JSON.stringify(patch),
    ]);
  }
  const port = mainPort(namespace);
  // A scenario measures a rollout, not Service creation: its sampler starts once the port answers.
  if (port !== undefined && deployments.length > 0) await untilAnswering(nodePortUrl(port));
  return sizes;
}

/**
 * Revision 1 = v1, revision 2 = v2, running v2 at the rendered size: the history that the undo
 * scenarios start from.
 */
export async function deployThenUpgrade(k8s: Cluster, path: string, target: Target): Promise<void> {
  // Revision 1 is made without pods (created at 0 replicas), then the image changes (revision 2) and it
  // scales to its size: the same revisions, change-causes and ReplicaSets as an upgrade, without a
  // rolling update and its old pods' 10 s preStop, which the scenarios that need one measure themselves.
  const sizes = await deploy(k8s, path, target.namespace, [], {
    replicas: { [target.name]: 0 },
    keepSlot: true,
  });
  await setImage(k8s, target, { myapp: 'rollout-lab/myapp:v2.0' }, { cause: 'upgrade to myapp v2.0' });
  await scale(k8s, target, sizes.get(target.name) ?? 1);
  await waitForRollout(k8s, target, { untilOldPodsGone: true });
  const port = mainPort(target.namespace);
  if (port !== undefined) await untilAnswering(nodePortUrl(port));
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

export const cliPath = new URL('../../packages/rollout/bundle/cli.mjs', import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  stdout: string;
  /** Trimmed: its last line is the error line, if any. */
  stderr: string;
}

/**
 * Runs the rollout CLI; never throws: exit code and output are for the test to judge. ROLLOUT_LAB_CONTEXT
 * names a context of the suite's kubeconfig; with a KUBECONFIG of its own in `env`, that one's current
 * context counts.
 */
export async function rolloutCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const suiteContext = env.KUBECONFIG === undefined ? process.env.ROLLOUT_LAB_CONTEXT : undefined;
  const context = suiteContext ? ['--context', suiteContext] : [];
  const out = await $({
    quiet: true,
    nothrow: true,
    env: { ...process.env, ...env },
  })`node ${cliPath} ${args} ${context}`;
  return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr.trim() };
}

/** A CLI run that must have succeeded: exit 0 and no error line (progress lines may be there). */
export function expectSuccess(result: CliResult): void {
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).not.toContain('error');
}

/** A CLI command running in the background: wait for its output, signal it, await its end. */
export interface RunningCli {
  /** Resolves once stdout or stderr matches; rejects if the command ends first or `timeoutMs` passes. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  done: Promise<CliResult>;
}

export function startCli(args: string[]): RunningCli {
  const child = spawn(process.execPath, [cliPath, ...args], { env: process.env });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const seen = () => {
    for (const w of waiters) w();
  };
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
    seen();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    seen();
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on('exit', (code) => {
      resolve({ code, stdout, stderr: stderr.trim() });
      seen();
    });
  });
  return {
    done,
    kill: (signal) => {
      if (child.exitCode === null) child.kill(signal);
    },
    waitFor: (pattern, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`no ${pattern} within ${timeoutMs} ms from rollout ${args.join(' ')}:\n${stderr}`),
          );
        }, timeoutMs);
        // Results are on stdout, progress on stderr: what is awaited may show on either.
        function check() {
          if (pattern.test(stdout) || pattern.test(stderr)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`rollout ${args.join(' ')} ended before ${pattern}:\n${stderr}`));
          }
        }
        waiters.add(check);
        check();
      }),
  };
}

/** Starts a CLI command, sends SIGINT once its output matches `when`, and returns how it ended. */
export async function interrupt(args: string[], when: RegExp): Promise<CliResult> {
  const cli = startCli(args);
  // One SIGINT, as one Ctrl-C: the CLI handles the first; a second one would kill it outright.
  await cli.waitFor(when).then(
    () => cli.kill('SIGINT'),
    () => undefined,
  );
  return cli.done;
}

let reader: Cluster | undefined;
/**
 * The object's resourceVersion, read by this process's client: a kubectl process for each of the
 * before/after checks cost about 0.17 CPU-seconds, in the files that run four at a time on 2 cores.
 */
export async function resourceVersion(
  kind: 'deployment' | 'service',
  name: string,
  namespace: string,
): Promise<string> {
  reader ??= cluster();
  const object =
    kind === 'deployment'
      ? await reader.apps.readNamespacedDeployment({ name, namespace })
      : await reader.core.readNamespacedService({ name, namespace });
  const version = object.metadata?.resourceVersion;
  if (!version) throw new Error(`${kind} ${name} in namespace ${namespace} has no resourceVersion`);
  return version;
}

export interface TestNamespace {
  readonly name: string;
  /** The NodePort this namespace's Service was given by deploy(). */
  readonly nodePort: number;
  /** http://127.0.0.1:<nodePort><path> */
  url(path?: string): string;
  /** Another NodePort Service's URL in this namespace (blue/green's svc-myapp-preview). */
  urlOf(service: string, path?: string): string;
}

/**
 * One namespace per scenario: created (Pod Security "restricted", enforced; labelled with this run so
 * the sweep finds it) and set up before the file's tests, deleted after them (the global teardown
 * sweeps whatever is left). Set-ups of one file run side by side. Where the suite has slots (the files
 * that sample traffic, support/slots.ts), set-up and teardown each take one, as a scenario does: starting
 * or stopping a namespace's pods loads the cluster as a rollout does.
 */
export function useNamespace(
  prefix: string,
  setup: (namespace: string) => Promise<unknown> = async () => {},
): TestNamespace {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  let created = false;
  /** The file, for the slot records' labels ("tests/x.test.ts > set-up <namespace>"). */
  const file = relative(join(import.meta.dirname, '..'), expect.getState().testPath ?? '');
  beforeAll(async () => {
    const namespace = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          [E2E_LABEL]: inject('runId'),
        },
      },
    };
    await kubectl(['create', '-f', '-'], JSON.stringify(namespace));
    created = true;
    // Its pods starting load the cluster as a scenario does: in a suite-wide slot (support/slots.ts).
    await withSlot(`${file} > set-up ${name}`, () => setup(name));
  });
  afterAll(async () => {
    if (!created) return;
    await recordProbeFailures(name);
    if (!slotsInUse()) {
      await kubectl(['delete', 'namespace', name, '--wait=false']).nothrow();
      return;
    }
    // Its pods stop in the slot, not 10-25 s later beside another file's scenarios: the namespace first
    // (no pod can be made in it after that), then its pods with 1 s to go, as nothing samples them any
    // more. Without this, a canary lost a request to a timeout 7 s after another file's three namespaces
    // were let go beside it (docs/e2e.md, files side by side).
    await withSlot(`${file} > teardown ${name}`, async () => {
      await kubectl(['delete', 'namespace', name, '--wait=false']).nothrow();
      await kubectl(['delete', 'pods', '--all', '-n', name, '--grace-period=1', '--timeout=60s']).nothrow();
    });
  });
  const port = () => {
    const p = mainPort(name);
    if (p === undefined) throw new Error(`namespace ${name} has no NodePort Service deployed`);
    return p;
  };
  return {
    get name() {
      if (!created) throw new Error(`namespace ${name} is not created yet`);
      return name;
    },
    get nodePort() {
      return port();
    },
    url: (path = '/') => nodePortUrl(port(), path),
    urlOf: (service, path = '/') => {
      const p = claimed.get(name)?.get(service);
      if (p === undefined) throw new Error(`namespace ${name} has no NodePort Service ${service}`);
      return nodePortUrl(p, path);
    },
  };
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
