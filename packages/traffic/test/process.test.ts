import { afterEach, describe, expect, it } from 'vitest';
import { assertNoErrors, SamplerOptionsError, sampleInProcess, startSamplerProcess } from '../src/index.js';
import { childServer, type Local, versionServer } from './servers.js';

const open: Local[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

/** Blocks this process's event loop, as a test's own synchronous work would. */
const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {}
};

describe('sampler in a process of its own', () => {
  it('keeps its schedule and its deadlines while the parent is blocked', async () => {
    // The server in a process of its own: blocking this thread must not block it.
    const server = await childServer(0);
    open.push(server);
    // 400 ms deadline, parent blocked for 600 ms: in-process, the requests in flight would "time out".
    const sampler = startSamplerProcess({ url: server.url, rate: 100, durationMs: 1500, timeoutMs: 400 });
    await new Promise((r) => setTimeout(r, 300));
    busy(600);
    const { records } = await sampler.done;
    expect(records).toHaveLength(150);
    expect(records.map((r) => r.seq)).toEqual([...Array(150).keys()]);
    assertNoErrors(records);
    // The schedule did not stall: no request started more than 100 ms late.
    expect(Math.max(...records.map((r) => r.startedAt - r.scheduledAt))).toBeLessThan(100);
    expect(records.every((r) => r.version === 'v1')).toBe(true);
  });

  it('shares its clock with the parent: records arrive in batches, stop() ends it early', async () => {
    const server = await versionServer(() => 'v2');
    open.push(server);
    const sampler = startSamplerProcess({
      url: server.url,
      rate: 50,
      durationMs: 60_000,
      classifier: 'seed',
    });
    await sampler.started;
    expect(sampler.elapsed()).toBeLessThan(50);
    await new Promise((r) => setTimeout(r, 700));
    const at = sampler.elapsed();
    // On the parent's scale, counted from the process's start: 700 ms and more. A Node timer may fire a
    // fraction of a millisecond early against performance.now() (CI once read 699.96), hence 699.
    expect(at).toBeGreaterThanOrEqual(699);
    expect(sampler.records.length).toBeGreaterThan(20); // about 35 by now, in 50 ms batches
    const { records } = await sampler.stop();
    // The schedule began when the process did: the first request on time, no catch-up burst.
    expect(records[0]?.scheduledAt).toBe(0);
    expect(Math.max(...records.slice(0, 5).map((r) => r.startedAt - r.scheduledAt))).toBeLessThan(50);
    expect(records.length).toBeGreaterThanOrEqual(sampler.records.length - 1);
    expect(records.length).toBeLessThan(60);
    // Times are on the parent's scale: the last request started before the parent asked it to stop.
    expect(Math.max(...records.map((r) => r.startedAt))).toBeLessThanOrEqual(sampler.elapsed());
  });

  it('refuses bad options in the caller, before any process starts', () => {
    expect(() => startSamplerProcess({ url: 'ftp://x', rate: 10, maxRequests: 1 })).toThrow(
      SamplerOptionsError,
    );
    expect(() => startSamplerProcess({ url: 'http://127.0.0.1:1/', rate: 10 })).toThrow(
      'give durationMs or maxRequests: the sampler is bounded',
    );
  });

  it('counts a refused connection as a failure, as the in-process sampler does', async () => {
    const { records } = await sampleInProcess({ url: 'http://127.0.0.1:9/', rate: 20, maxRequests: 5 });
    expect(records).toHaveLength(5);
    expect(records.every((r) => r.error === 'refused')).toBe(true);
  });

  it('says which scheduling it got: nice -10 as root, else what it could get', async () => {
    const server = await versionServer(() => 'v1');
    open.push(server);
    const sampler = startSamplerProcess({ url: server.url, rate: 10, maxRequests: 3 });
    await sampler.started;
    const root = process.getuid?.() === 0;
    expect(sampler.priority).toBe(root ? 'nice' : 'inherit');
    const inherit = startSamplerProcess({ url: server.url, rate: 10, maxRequests: 3, priority: 'inherit' });
    await inherit.started;
    expect(inherit.priority).toBe('inherit');
    const [result] = await Promise.all([sampler.done, inherit.done]);
    // Its own CPU, which a thread's could not be told apart from its parent's.
    expect(result.cpuMs).toBeGreaterThan(0);
  });

  it('a process that dies is an error, not a wait for ever', async () => {
    const sampler = startSamplerProcess({ url: 'http://127.0.0.1:9/', rate: 1, durationMs: 60_000 });
    await sampler.started;
    // The child's pid is not exposed: find it by its script and kill it as an OOM killer would.
    const { execFileSync } = await import('node:child_process');
    execFileSync('pkill', ['-KILL', '-f', 'dist/sampler-process.js .*127.0.0.1:9/']);
    await expect(sampler.done).rejects.toThrow(/the sampler process exited \(SIGKILL\) before it was done/);
  });
});
