// One owner per canary pair: a coordination.k8s.io Lease that a plan runner takes, renews while it runs
// and gives back. A second runner is refused with who holds it; a holder that died (its Lease not renewed
// within its duration) is taken over. Time is judged by renewTime against this machine's clock, as
// client-go's leader election does with its own observations: clients of one cluster are assumed to keep
// their clocks within a few seconds.
import { hostname } from 'node:os';
import { ApiException, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import { NotFoundError, RolloutError } from '../errors.js';
import { type Cluster, call, translate } from './client.js';

/** Another runner holds the pair. */
export class HeldError extends RolloutError {}

/** This runner no longer holds the pair: it could not renew in time, or someone took it over. */
export class LostClaimError extends RolloutError {}

export interface Claim {
  holder: string;
  /** Throws LostClaimError once the claim is lost; call before every write. */
  check(): void;
  /** Stops renewing and gives the Lease back (holder cleared), if it is still ours. */
  release(): Promise<void>;
}

export interface ClaimOptions {
  /** Seconds a holder has to renew before others may take over. */
  durationS?: number;
  /** This runner's identity; default host/pid/random. */
  holder?: string;
  now?: () => number;
}

export const DEFAULT_LEASE_S = 15;

/** Whether a Lease as read is free for `holder`: unheld, held by it, or expired at `now`. */
export function leaseFree(lease: V1Lease, holder: string, now: number): boolean {
  const spec = lease.spec ?? {};
  if (!spec.holderIdentity || spec.holderIdentity === holder) return true;
  const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
  return renewed + (spec.leaseDurationSeconds ?? DEFAULT_LEASE_S) * 1000 < now;
}

/** "held by ci-runner/4211/ab12 since 12:00:03Z (renewed 4 s ago, 15 s lease)". */
export function describeHolder(lease: V1Lease, now: number): string {
  const spec = lease.spec ?? {};
  const since = spec.acquireTime ? new Date(spec.acquireTime).toISOString() : 'an unknown time';
  const ago = spec.renewTime ? Math.round((now - new Date(spec.renewTime).getTime()) / 1000) : undefined;
  return `held by ${spec.holderIdentity} since ${since} (renewed ${ago === undefined ? 'never' : `${ago} s ago`}, ${spec.leaseDurationSeconds ?? DEFAULT_LEASE_S} s lease)`;
}

const defaultHolder = () => `${hostname()}/${process.pid}/${Math.random().toString(36).slice(2, 8)}`;

/**
 * Takes the Lease `name` in `namespace` for this runner, or throws HeldError naming its holder; renews
 * it every third of its duration until released.
 */
export async function claim(
  cluster: Cluster,
  namespace: string,
  name: string,
  purpose: string,
  options: ClaimOptions = {},
): Promise<Claim> {
  const durationS = options.durationS ?? DEFAULT_LEASE_S;
  const holder = options.holder ?? defaultHolder();
  const now = options.now ?? Date.now;
  const what = `lease ${name} in namespace ${namespace}`;
  const api = cluster.coordination;
  // MicroTime: the API server parses exactly six fractional digits (a Date would send three).
  const stamp = () => new V1MicroTime(now());
  const held = (lease: V1Lease) =>
    new HeldError(
      `${purpose} is ${describeHolder(lease, now())}; only one runner at a time (lease ${name}): wait for it, or take over once it stops renewing`,
    );

  let current: V1Lease;
  const existing = await call(cluster, what, () => api.readNamespacedLease({ name, namespace })).catch(
    (error) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    },
  );
  if (!existing) {
    const body: V1Lease = {
      metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'rollout-lab' } },
      spec: {
        holderIdentity: holder,
        leaseDurationSeconds: durationS,
        acquireTime: stamp(),
        renewTime: stamp(),
        leaseTransitions: 0,
      },
    };
    try {
      current = await api.createNamespacedLease({ namespace, body });
    } catch (error) {
      // Someone created it between our read and our create: theirs.
      if (error instanceof ApiException && error.code === 409)
        throw held(await api.readNamespacedLease({ name, namespace }));
      throw translate(cluster, what, error);
    }
  } else {
    if (!leaseFree(existing, holder, now())) throw held(existing);
    const body: V1Lease = {
      ...existing,
      spec: {
        ...existing.spec,
        holderIdentity: holder,
        leaseDurationSeconds: durationS,
        acquireTime: stamp(),
        renewTime: stamp(),
        leaseTransitions: (existing.spec?.leaseTransitions ?? 0) + (existing.spec?.holderIdentity ? 1 : 0),
      },
    };
    try {
      // With the read's resourceVersion: of two runners taking over at once, one wins.
      current = await api.replaceNamespacedLease({ name, namespace, body });
    } catch (error) {
      if (error instanceof ApiException && error.code === 409)
        throw held(await api.readNamespacedLease({ name, namespace }));
      throw translate(cluster, what, error);
    }
  }

  let lastRenewal = now();
  let lost: string | undefined;
  const renew = async () => {
    if (lost) return;
    try {
      const body: V1Lease = { ...current, spec: { ...current.spec, renewTime: stamp() } };
      current = await api.replaceNamespacedLease({ name, namespace, body });
      lastRenewal = now();
    } catch (error) {
      if (error instanceof ApiException && error.code === 409) {
        const seen = await api.readNamespacedLease({ name, namespace }).catch(() => undefined);
        if (seen?.spec?.holderIdentity !== holder) {
          lost = `the pair was taken over: lease ${name} is ${seen ? describeHolder(seen, now()) : 'gone'}`;
          return;
        }
        if (seen) current = seen;
      }
      // Other failures: retried at the next tick; the claim is lost once the duration has passed.
    }
  };
  // The renewal on its way, if any: a release waits for it, or its write would race the release's.
  let renewing: Promise<void> | undefined;
  const timer = setInterval(
    () => {
      renewing ??= renew().finally(() => {
        renewing = undefined;
      });
    },
    (durationS * 1000) / 3,
  );
  timer.unref();
  return {
    holder,
    check() {
      if (!lost && now() - lastRenewal > durationS * 1000) {
        lost = `lease ${name} was not renewed for ${durationS} s (API server unreachable?); another runner may hold it now`;
      }
      if (lost) throw new LostClaimError(`${purpose}: ${lost}; this run stops without writing more`);
    },
    async release() {
      clearInterval(timer);
      await renewing;
      if (lost) return;
      lost = `lease ${name} was given back`;
      // A conflict means the Lease changed since our last write: given back from what it is now, as
      // long as it is still ours. Other errors leave a Lease that expires on its own.
      for (let attempt = 0; attempt < 3; attempt++) {
        const body: V1Lease = { ...current, spec: { ...current.spec, holderIdentity: undefined } };
        try {
          await api.replaceNamespacedLease({ name, namespace, body });
          return;
        } catch (error) {
          if (!(error instanceof ApiException && error.code === 409)) return;
          const seen = await api.readNamespacedLease({ name, namespace }).catch(() => undefined);
          if (seen?.spec?.holderIdentity !== holder) return;
          current = seen;
        }
      }
    },
  };
}
