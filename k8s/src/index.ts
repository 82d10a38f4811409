import { execFile } from 'node:child_process';
import { access, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

export const OVERLAYS = ['rolling', 'canary', 'blue-green'] as const;
/** Variants that only the tests use. */
export const TEST_OVERLAYS = ['test-fast-deadline', 'test-node-restart'] as const;
/** Deliberately wrong, for the tests that must see a rollout drop requests (`rollout verify`). */
export const CARELESS_OVERLAYS = ['test-careless'] as const;
export type Overlay =
  | (typeof OVERLAYS)[number]
  | (typeof TEST_OVERLAYS)[number]
  | (typeof CARELESS_OVERLAYS)[number];

/** kustomize used when neither kubectl nor kustomize is on PATH; installed with `go install`. */
export const KUSTOMIZE_MODULE = 'sigs.k8s.io/kustomize/kustomize/v5@v5.8.3';

export const manifestsRoot = fileURLToPath(new URL('..', import.meta.url));

/** Absolute path of an overlay, for `kubectl apply -k`. */
export function overlayDir(overlay: string): string {
  return join(manifestsRoot, 'overlays', overlay);
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: rendered objects are checked field by field by their users
  spec?: any;
}

export class KustomizeError extends Error {
  override name = 'KustomizeError';
}

async function onPath(command: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

let renderer: Promise<string[]> | undefined;

/** `kubectl kustomize`, else `kustomize build`, else a pinned kustomize installed into a cache folder. */
function findRenderer(): Promise<string[]> {
  renderer ??= (async () => {
    if (await onPath('kubectl')) return ['kubectl', 'kustomize'];
    if (await onPath('kustomize')) return ['kustomize', 'build'];
    const bin = join(process.env.ROLLOUT_LAB_CACHE ?? join(homedir(), '.cache', 'rollout-lab'), 'bin');
    const installed = join(bin, 'kustomize');
    try {
      await access(installed);
    } catch {
      if (!(await onPath('go'))) {
        throw new KustomizeError(
          'no kubectl, kustomize or go on PATH: install kubectl (it includes kustomize)',
        );
      }
      await mkdir(bin, { recursive: true });
      await run('go', ['install', KUSTOMIZE_MODULE], { env: { ...process.env, GOBIN: bin } });
    }
    return [installed, 'build'];
  })();
  return renderer;
}

/** Renders an overlay (or any kustomization folder) to objects. */
export async function render(dir: string): Promise<K8sObject[]> {
  const [command, ...args] = await findRenderer();
  let stdout: string;
  try {
    ({ stdout } = await run(command as string, [...args, dir], { maxBuffer: 16 * 1024 * 1024 }));
  } catch (error) {
    throw new KustomizeError(
      `kustomize failed for ${dir}: ${(error as { stderr?: string }).stderr ?? error}`,
    );
  }
  return parseAllDocuments(stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((obj): obj is K8sObject => obj !== null);
}

export function renderOverlay(overlay: Overlay): Promise<K8sObject[]> {
  return render(overlayDir(overlay));
}

/** The API server's refusal of a NodePort another Service holds. */
const PORT_TAKEN = /provided port is already allocated/;

/**
 * Applies with the first NodePort of `ports` the API server lets us allocate: it is the one owner of
 * NodePorts, so two appliers (test files, a tutorial, a namespace still being deleted) never share one.
 * `apply(port)` applies the objects with that port and says how it went; any other refusal is thrown.
 */
export async function applyWithFreeNodePort(
  ports: Iterable<number>,
  apply: (port: number) => Promise<{ exitCode: number | null; stderr: string }>,
): Promise<number> {
  const tried: number[] = [];
  for (const port of ports) {
    const result = await apply(port);
    if (result.exitCode === 0) return port;
    if (!PORT_TAKEN.test(result.stderr)) throw new Error(`kubectl apply failed: ${result.stderr.trim()}`);
    tried.push(port);
  }
  const range = tried.length ? `${Math.min(...tried)}-${Math.max(...tried)}` : 'the range given';
  throw new Error(`no free NodePort in ${range}: every one is allocated in the cluster`);
}

/** How a caller's `kubectl apply` of some objects went. */
export type ApplyResult = { exitCode: number | null; stderr: string };

/**
 * Applies the objects, each NodePort Service on a port of `ports` of its own (the first the API server
 * lets it allocate). The Services are applied one at a time: in one apply, a Service created on a free
 * port beside one refused would hold that port, and the next attempt would chase its own Services up the
 * range. Returns each NodePort Service's port by name.
 */
export async function applyClaimingNodePorts(
  objects: readonly K8sObject[],
  ports: readonly number[],
  apply: (objects: K8sObject[]) => Promise<ApplyResult>,
): Promise<Map<string, number>> {
  const services = objects.filter((o) => o.kind === 'Service' && o.spec?.type === 'NodePort');
  const rest = objects.filter((o) => !services.includes(o));
  if (rest.length) {
    const result = await apply(rest);
    if (result.exitCode !== 0) throw new Error(`kubectl apply failed: ${result.stderr.trim()}`);
  }
  const claimed = new Map<string, number>();
  for (const service of services) {
    const taken = new Set(claimed.values());
    const port = await applyWithFreeNodePort(
      ports.filter((p) => !taken.has(p)),
      (nodePort) => {
        service.spec.ports[0].nodePort = nodePort;
        return apply([service]);
      },
    );
    claimed.set(service.metadata.name, port);
  }
  return claimed;
}
