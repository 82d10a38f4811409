import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  assertNoErrors,
  assertPhases,
  assertShare,
  assertVersions,
  binomialTolerance,
  renderChart,
  SamplerOptionsError,
  sample,
  startSampler,
  summarize,
  TrafficAssertionError,
} from '../src/index.js';
import { childServer, closeWatchingServer, type Local, randomBalancer, versionServer } from './servers.js';

/** A deadline for tests of the sampler's logic, not its timing: no answer is late enough to fail there. */
const LOGIC_TIMEOUT_MS = 30_000;

const open: Local[] = [];
const track = <T extends Local>(local: T): T => {
  open.push(local);
  return local;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

describe('sampler against real local servers', () => {
  it('sees a v1 → mixed → v2 switch with nothing lost', async () => {
    let answered = 0;
    // The first 200 answers v1, the next 200 a 50/50 mix, then v2: a rolling update from outside, paced
    // by the requests themselves (at 200/s, about 1 s each), not by a clock that a busy machine skews.
    const server = track(
      await versionServer(() => {
        const n = answered++;
        if (n < 200) return 'v1';
        if (n < 400) return Math.random() < 0.5 ? 'v1' : 'v2';
        return 'v2';
      }),
    );
    // What is tested is the analysis of a switch, not latency: the deadline is far enough that a machine
    // busy with other work (turbo's parallel tasks, a cluster beside) delays answers without failing them.
    const result = await sample({
      url: server.url,
      rate: 200,
      durationMs: 3000,
      timeoutMs: LOGIC_TIMEOUT_MS,
    });
    expect(result.records).toHaveLength(600);
    // Every request opened its own connection, and each handshake's time is kept.
    expect(result.records.every((r) => typeof r.connectMs === 'number' && r.connectMs >= 0)).toBe(true);
    expect(result.records.map((r) => r.seq)).toEqual([...Array(600).keys()]);
    assertNoErrors(result.records);
    assertVersions(result.records, ['v1', 'v2']);
    assertPhases(result.records, ['v1', 'mixed', 'v2']);
    // The chart's columns follow start times, which a busy machine bunches (under `pnpm test` with five
    // kind nodes beside it, one 0.2 s column had no start at all). The shape of the switch is what is
    // checked here, so it is drawn on the schedule; the sampler's lag under load is bench:contention's.
    const onSchedule = result.records.map((r) => ({ ...r, startedAt: r.scheduledAt }));
    const chart = renderChart(onSchedule, { width: 30 });
    expect(chart.split('\n')).toHaveLength(5); // title, v1, v2, fail, axis
    // Under load the column edges wander; the shape is what matters: v1 full at the start, v2 at the end.
    expect(chart).toMatch(/^v1 {3}│█{3,}/m);
    expect(chart).toMatch(/^v2 {3}│.*█{3,}│/m);
    expect(chart).toMatch(/^fail │ +│ 0$/m);
  });

  it('counts and classifies every failure when the server is killed mid-run', async () => {
    const server = track(await childServer(150));
    const sampler = startSampler({ url: server.url, rate: 100, durationMs: 2000, timeoutMs: 1000 });
    await new Promise((r) => setTimeout(r, 900));
    server.child.kill('SIGKILL');
    const { records } = await sampler.done;
    const summary = summarize(records);
    expect(summary.requests).toBe(200); // scheduled = recorded: none lost
    expect(summary.ok + summary.failed).toBe(200);
    expect(summary.ok).toBeGreaterThan(50);
    expect(summary.errors.reset).toBeGreaterThan(0); // the ~15 in flight at the kill
    expect(summary.errors.refused).toBeGreaterThan(80); // everything after it
    expect(Object.keys(summary.errors).sort()).toEqual(['refused', 'reset']);
    expect(() => assertNoErrors(records)).toThrow(TrafficAssertionError);
    expect(() => assertNoErrors(records)).toThrow(/requests failed \[refused \d+, reset \d+\]/);
  });

  it('reports timeouts from a slow server and keeps its schedule (open loop)', async () => {
    const server = track(await versionServer(() => 'v1', 400));
    const { records } = await sample({ url: server.url, rate: 50, durationMs: 1000, timeoutMs: 150 });
    const summary = summarize(records);
    expect(summary.requests).toBe(50);
    expect(summary.errors).toEqual({ timeout: 50 });
    // Connected, then no answer: the server's fault, not a lost SYN.
    expect(records.every((r) => r.detail?.startsWith('no answer in 150 ms'))).toBe(true);
    expect(summary.latencyMs.p50).toBeGreaterThanOrEqual(145);
    expect(summary.latencyMs.max).toBeLessThan(400);
    // A closed loop would manage ~2.5 requests in that second; the schedule does not wait for answers.
    expect(summary.achievedRate).toBeGreaterThan(40);
  });

  it('says when its own deadline fired late: the sampler, not the server, was not running then', async () => {
    const server = track(await childServer(1000));
    const sampler = startSampler({ url: server.url, rate: 10, maxRequests: 1, timeoutMs: 100 });
    // Block this event loop past the deadline, as a starved or stalled client would be.
    const end = Date.now() + 400;
    while (Date.now() < end) {}
    const { records } = await sampler.done;
    expect(records[0]?.error).toBe('timeout');
    expect(records[0]?.detail).toMatch(
      /^no (answer|connection) in 100 ms; the sampler's deadline fired [23]\d\d ms late$/,
    );
  });

  it('says "no connection" when the handshake never finishes (SYNs dropped by a full accept queue)', async () => {
    // A listener with a backlog of 1 in a stopped process: once its queue is full, the kernel drops SYNs.
    const code = `require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 },
      function () { console.log(this.address().port); })`;
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<number>((resolve) =>
        child.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
      );
      child.kill('SIGSTOP');
      const { records } = await sample({
        url: `http://127.0.0.1:${port}/`,
        rate: 20,
        maxRequests: 6,
        timeoutMs: 300,
      });
      expect(records.every((r) => r.error === 'timeout')).toBe(true);
      expect(records.map((r) => r.detail)).toContain('no connection in 300 ms');
      // A handshake that never finished has no connect time.
      const unconnected = records.filter((r) => r.detail === 'no connection in 300 ms');
      expect(unconnected.every((r) => r.connectMs === undefined)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('measures a 50/50 pair within the binomial tolerance, and rejects a wrong expectation', async () => {
    const v1 = track(await versionServer(() => 'v1'));
    const v2 = track(await versionServer(() => 'v2'));
    const balancer = track(await randomBalancer([v1.port, v2.port]));
    const { records } = await sample({
      url: balancer.url,
      rate: 250,
      maxRequests: 800,
      timeoutMs: LOGIC_TIMEOUT_MS,
    });
    assertNoErrors(records);
    assertShare(records, 'v2', 0.5);
    expect(binomialTolerance(0.5, 800)).toBeCloseTo(0.0707, 3);
    expect(() => assertShare(records, 'v2', 0.25)).toThrow(/expected 25.0 % ± 6.1 %/);
  });

  it('opens one connection per request by default, and reuses them with keepAlive', async () => {
    const connections: number[] = [];
    for (const keepAlive of [false, true]) {
      let count = 0;
      const server = createServer((_req, res) => res.end('This is Version1 service'));
      server.on('connection', () => count++);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const { records } = await sample({
        url: `http://127.0.0.1:${port}/`,
        rate: 100,
        maxRequests: 40,
        keepAlive,
        timeoutMs: LOGIC_TIMEOUT_MS,
      });
      assertNoErrors(records);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      connections.push(count);
    }
    expect(connections[0]).toBe(40);
    // Slow answers make the agent open more sockets (14 were seen beside a busy cluster); reuse still
    // serves most requests.
    expect(connections[1]).toBeLessThanOrEqual(20);
  });

  it('closes each connection of its own itself, so that TIME_WAIT stays on the client, not in the pod', async () => {
    const server = track(await closeWatchingServer());
    const { records } = await sample({
      url: server.url,
      rate: 100,
      maxRequests: 40,
      timeoutMs: LOGIC_TIMEOUT_MS,
    });
    assertNoErrors(records);
    await vi.waitFor(() => expect(server.closedBy).toHaveLength(40), { timeout: 5000 });
    expect(server.closedBy).toEqual(Array(40).fill('client'));
  });

  it('achieves the asked rate', async () => {
    const server = track(await versionServer(() => 'v1'));
    const { records } = await sample({ url: server.url, rate: 200, durationMs: 2000 });
    const summary = summarize(records);
    expect(summary.requests).toBe(400);
    expect(summary.achievedRate).toBeGreaterThan(180);
    expect(summary.achievedRate).toBeLessThan(220);
  });

  it('stops early on stop() and returns what it has', async () => {
    const server = track(await versionServer(() => 'v1'));
    const sampler = startSampler({
      url: server.url,
      rate: 100,
      durationMs: 60_000,
      timeoutMs: LOGIC_TIMEOUT_MS,
    });
    await new Promise((r) => setTimeout(r, 300));
    const at = sampler.elapsed();
    const { records } = await sampler.stop();
    // Every request it fired comes back, those still in flight at stop() too: seq 0 … n − 1, no gap. How
    // many it fired by then depends on how late its timer ran on a busy machine, so that is not asserted.
    expect(records.map((r) => r.seq).sort((a, b) => a - b)).toEqual(records.map((_, i) => i));
    expect(records.length).toBeGreaterThan(0);
    // None after stop(): at most what the schedule (request n at n × 10 ms) had due by then, of 6,000.
    expect(records.length).toBeLessThanOrEqual(Math.floor(at / 10) + 2);
  });

  it('rejects unbounded or malformed options', () => {
    expect(() => startSampler({ url: 'http://127.0.0.1:1/', rate: 10 })).toThrow(SamplerOptionsError);
    expect(() => startSampler({ url: 'nope', rate: 10, maxRequests: 1 })).toThrow(/not a URL/);
    expect(() => startSampler({ url: 'https://127.0.0.1/', rate: 10, maxRequests: 1 })).toThrow(/only http/);
    expect(() => startSampler({ url: 'http://127.0.0.1/', rate: 0, maxRequests: 1 })).toThrow(/rate must be/);
  });
});
