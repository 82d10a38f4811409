// The one way this library writes a Deployment: onto the version it decided from, or not at all.
import { PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { ChangedMeanwhileError, ConflictError } from '../errors.js';
import { describe, type Target } from '../resources/objects.js';
import { type Cluster, call } from './client.js';
import { getDeployment } from './read.js';

/** kubectl's --dry-run: `client` sends nothing, `server` sends the write with dryRun=All. */
export type DryRun = 'client' | 'server';

export interface WriteOptions {
  dryRun?: DryRun;
}

export type JsonPatchOp = { op: 'add' | 'replace' | 'remove' | 'test'; path: string; value?: unknown };

/** A change to one Deployment: a strategic merge patch (what kubectl patch sends) or a JSON patch. */
export type DeploymentPatch =
  | { type: 'strategic'; body: { metadata?: Record<string, unknown>; spec?: object } }
  | { type: 'json'; ops: JsonPatchOp[] };

const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

/**
 * The patch as sent: with the read's resourceVersion, so that the API server refuses it (409) if anyone
 * wrote in between. In a JSON patch that is a replace op first: a failed "test" op would come back as a
 * generic 422, indistinguishable from a malformed patch.
 */
export function preconditioned(read: V1Deployment, patch: DeploymentPatch): object {
  const resourceVersion = read.metadata?.resourceVersion;
  if (patch.type === 'json') {
    return [{ op: 'replace', path: '/metadata/resourceVersion', value: resourceVersion }, ...patch.ops];
  }
  return { ...patch.body, metadata: { ...patch.body.metadata, resourceVersion } };
}

/** Sends `patch` onto the version `read` came from; a client dry run sends nothing and returns `read`. */
export async function patchIfUnchanged(
  cluster: Cluster,
  target: Target,
  read: V1Deployment,
  patch: DeploymentPatch,
  options: WriteOptions = {},
): Promise<V1Deployment> {
  if (options.dryRun === 'client') return read;
  const body = preconditioned(read, patch);
  return call(cluster, describe(target), () =>
    cluster.apps.patchNamespacedDeployment(
      { ...target, body, ...(options.dryRun === 'server' ? { dryRun: 'All' } : {}) },
      patch.type === 'json' ? jsonPatch : strategic,
    ),
  );
}

export interface Backoff {
  attempts: number;
  /** First delay; each next one is `factor` times longer, plus up to `jitter` of itself at random. */
  delayMs: number;
  factor: number;
  jitter: number;
}

/** client-go's retry.DefaultBackoff: 10 ms, ×5, 10 % jitter; five attempts end after about 1.6 s. */
export const DEFAULT_BACKOFF: Backoff = { attempts: 5, delayMs: 10, factor: 5, jitter: 0.1 };

export function backoffDelays(backoff: Backoff, random: () => number = Math.random): number[] {
  return Array.from({ length: backoff.attempts - 1 }, (_, i) => {
    const base = backoff.delayMs * backoff.factor ** i;
    return base + base * backoff.jitter * random();
  });
}

/**
 * Reads, decides, writes with the read's resourceVersion as a precondition; on a conflict (someone wrote
 * in between) waits a jittered backoff, reads and decides again (client-go's RetryOnConflict), then gives
 * up with a ConflictError. A change is never lost silently: either our write lands on the version we
 * looked at, or we say so. A ChangedMeanwhileError is not retried: the decision itself is stale.
 */
export async function withConflictRetry<T>(
  what: string,
  attempt: () => Promise<T>,
  backoff: Backoff = DEFAULT_BACKOFF,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  const delays = backoffDelays(backoff);
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConflictError) || error instanceof ChangedMeanwhileError) throw error;
      const delay = delays[i];
      if (delay === undefined) {
        throw new ConflictError(
          `${what}: still conflicting after ${backoff.attempts} attempts; another writer keeps changing it`,
        );
      }
      await sleep(delay);
    }
  }
}

/** A Deployment as a multi-object operation decided from it: its spec's generation at that moment. */
export interface Seen {
  target: Target;
  generation: number | undefined;
  /**
   * What else must still hold of it at every read before a write (a plan runner's: its plan still runs
   * and it still owns the pair); it throws otherwise. The write goes onto the version it judged.
   */
  guard?: (d: V1Deployment) => void;
}

export const seen = (target: Target, d: V1Deployment, guard?: Seen['guard']): Seen => ({
  target,
  generation: d.metadata?.generation,
  ...(guard ? { guard } : {}),
});

/**
 * The check a multi-object operation makes before each write: the object's spec is still the one it
 * decided from (status updates do not count; they change resourceVersion, not generation).
 */
export function assertUnchanged(d: V1Deployment, expected: Seen, why: string): void {
  expected.guard?.(d);
  const now = d.metadata?.generation;
  if (expected.generation !== undefined && now !== expected.generation) {
    throw new ChangedMeanwhileError(
      `${describe(expected.target)} was changed by someone else meanwhile (generation ${expected.generation} → ${now}); ${why}`,
    );
  }
}

/** Reads the Deployment and checks it against what was decided from. */
export async function readUnchanged(cluster: Cluster, expected: Seen, why: string): Promise<V1Deployment> {
  const d = await getDeployment(cluster, expected.target);
  assertUnchanged(d, expected, why);
  return d;
}

/**
 * One write of a multi-object operation: onto the spec it decided from (else ChangedMeanwhileError,
 * reported, never overwritten), retried only for status-only conflicts. Returns what it now expects.
 */
export async function writeIfUnchanged(
  cluster: Cluster,
  expected: Seen,
  patch: (current: V1Deployment) => DeploymentPatch | undefined,
  why: string,
  options: WriteOptions = {},
): Promise<Seen> {
  return withConflictRetry(describe(expected.target), async () => {
    const d = await readUnchanged(cluster, expected, why);
    const body = patch(d);
    if (!body) return expected;
    const written = await patchIfUnchanged(cluster, expected.target, d, body, options);
    return options.dryRun ? expected : seen(expected.target, written, expected.guard);
  });
}
