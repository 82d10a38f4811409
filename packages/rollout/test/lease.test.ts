// The Lease claim's rules against an in-memory coordination API that keeps resourceVersion as the API
// server does (409 on a stale one); the e2e suite takes the same Lease on a real cluster.
import { ApiException, type V1Lease } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../src/api/client.js';
import { claim, HeldError, LostClaimError } from '../src/api/lease.js';

function fakeLeases(options: { writeDelayMs?: number } = {}) {
  let stored: V1Lease | undefined;
  let version = 1;
  const conflict = () => new ApiException(409, 'conflict', { message: 'the object has been modified' }, {});
  const keep = (body: V1Lease) => {
    stored = JSON.parse(
      JSON.stringify({ ...body, metadata: { ...body.metadata, resourceVersion: String(++version) } }),
    );
    return structuredClone(stored) as V1Lease;
  };
  const coordination = {
    readNamespacedLease: async () => {
      if (!stored) throw new ApiException(404, 'not found', { message: 'leases "x" not found' }, {});
      return structuredClone(stored);
    },
    createNamespacedLease: async ({ body }: { body: V1Lease }) => {
      if (stored) throw conflict();
      return keep(body);
    },
    replaceNamespacedLease: async ({ body }: { body: V1Lease }) => {
      // A slow API server: writes are judged in the order they arrive, each some time after it was sent.
      if (options.writeDelayMs) await new Promise((resolve) => setTimeout(resolve, options.writeDelayMs));
      if (body.metadata?.resourceVersion !== stored?.metadata?.resourceVersion) throw conflict();
      return keep(body);
    },
  };
  return { cluster: { coordination, server: 'https://fake' } as unknown as Cluster, get: () => stored };
}

describe('one runner per pair (Lease)', () => {
  it('refuses a second holder, lets it take over once the first stops renewing, and the first then stops', async () => {
    const fake = fakeLeases();
    let clock = Date.parse('2026-12-05T12:00:00Z');
    const now = () => clock;
    const first = await claim(fake.cluster, 'ns', 'lease', 'the plan', { holder: 'a', now, durationS: 15 });
    expect(fake.get()?.spec?.holderIdentity).toBe('a');
    // Six fractional digits, as the API server's MicroTime wants them.
    expect(JSON.parse(JSON.stringify(fake.get())).spec.renewTime).toBe('2026-12-05T12:00:00.000000Z');
    await expect(claim(fake.cluster, 'ns', 'lease', 'the plan', { holder: 'b', now })).rejects.toThrow(
      new HeldError(
        'the plan is held by a since 2026-12-05T12:00:00.000Z (renewed 0 s ago, 15 s lease); only one runner at a time (lease lease): wait for it, or take over once it stops renewing',
      ),
    );
    clock += 16_000;
    const second = await claim(fake.cluster, 'ns', 'lease', 'the plan', { holder: 'b', now, durationS: 15 });
    expect(fake.get()?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(() => first.check()).toThrow(LostClaimError);
    second.check();
    await second.release();
    expect(fake.get()?.spec?.holderIdentity).toBeUndefined();
    expect(() => second.check()).toThrow('lease lease was given back');
    await first.release();
    // Free again: the next claim takes it at once.
    const third = await claim(fake.cluster, 'ns', 'lease', 'the plan', { holder: 'c', now });
    expect(fake.get()?.spec?.holderIdentity).toBe('c');
    await third.release();
  });

  it('gives the Lease back even when a renewal is still on its way: the next runner is not refused', async () => {
    const fake = fakeLeases({ writeDelayMs: 20 });
    // Renewed every 10 ms, each write taking 20 ms: a release always meets a renewal in flight.
    const owner = await claim(fake.cluster, 'ns', 'lease', 'the plan', { holder: 'a', durationS: 0.03 });
    await new Promise((resolve) => setTimeout(resolve, 15));
    await owner.release();
    expect(fake.get()?.spec?.holderIdentity).toBeUndefined();
    // And nothing renews it afterwards.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.get()?.spec?.holderIdentity).toBeUndefined();
    const next = await claim(fake.cluster, 'ns', 'lease', 'the plan', { holder: 'b' });
    expect(fake.get()?.spec?.holderIdentity).toBe('b');
    await next.release();
  });
});
