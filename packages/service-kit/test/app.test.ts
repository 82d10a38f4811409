import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  createApp,
  createLogger,
  type LifecycleState,
  readConfig,
  startService,
} from '../src/index.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function serve(state: LifecycleState) {
  const app = createApp(
    { version: 'v9', text: 'This is Version9 service' },
    { podName: 'p', startedAt: new Date(0), state },
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createApp', () => {
  it('reports not ready before the server is ready, then ready', async () => {
    const state = { ready: false, draining: false };
    const url = await serve(state);
    const before = await fetch(`${url}/readyz`);
    expect(before.status).toBe(503);
    expect(await before.text()).toBe('starting');
    state.ready = true;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('answers unknown paths with a plain 404 that still names the version', async () => {
    const url = await serve({ ready: true, draining: false });
    const res = await fetch(`${url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-app-version')).toBe('v9');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('startService', () => {
  it('drains an idle server at once and resolves 0', async () => {
    const lines: string[] = [];
    const service = await startService(
      { version: 'v9', text: 't' },
      {
        host: '127.0.0.1',
        config: { port: 0, shutdownDelayMs: 0 },
        log: createLogger({}, (l) => lines.push(l)),
      },
    );
    expect(service.state.ready).toBe(true);
    expect(await service.drain('test')).toBe(0);
    expect(service.state).toEqual({ ready: false, draining: true });
    expect(lines.map((l) => /event=(\S+)/.exec(l)?.[1])).toEqual([
      'starting',
      'listening',
      'draining',
      'closing',
      'drained',
    ]);
  });
});

describe('startService, lame duck', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const startQuiet = async (config: { drainQuietMs: number; drainTimeoutMs: number }) => {
    const lines: string[] = [];
    const service = await startService(
      { version: 'v9', text: 't' },
      {
        host: '127.0.0.1',
        config: { port: 0, shutdownDelayMs: 0, ...config },
        log: createLogger({}, (l) => lines.push(l)),
      },
    );
    return { service, lines, url: `http://127.0.0.1:${service.port}` };
  };

  it('keeps serving while requests keep coming, closes once none came for drainQuietMs; probes do not count', async () => {
    const { service, lines, url } = await startQuiet({ drainQuietMs: 400, drainTimeoutMs: 10_000 });
    expect((await fetch(`${url}/`)).status).toBe(200);
    const began = Date.now();
    let drained = false;
    const drain = service.drain('test').then((code) => {
      drained = true;
      return code;
    });
    // Routed traffic for 1 s: every answer is a 200 that closes its connection, and the listener stays.
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${url}/`);
      expect([res.status, res.headers.get('connection'), drained]).toEqual([200, 'close', false]);
      await sleep(100);
    }
    // Only the kubelet's probes now (failing readiness): they do not hold the listener open.
    const probes: number[] = [];
    const refused = (async () => {
      for (;;) {
        try {
          probes.push((await fetch(`${url}/readyz`)).status);
        } catch {
          return Date.now();
        }
        await sleep(50);
      }
    })();
    expect(await drain).toBe(0);
    const closedAt = await refused;
    // The 10th request came after nine 100 ms sleeps (a timer may fire up to 1 ms early), then 400 ms quiet.
    expect(closedAt - began).toBeGreaterThanOrEqual(850 + 400);
    expect(closedAt - began).toBeLessThan(5000);
    expect(probes.length).toBeGreaterThan(2);
    expect(new Set(probes)).toEqual(new Set([503]));
    const closing = lines.find((l) => l.includes('event=closing')) ?? '';
    expect(Number(/quiet_ms=(\d+)/.exec(closing)?.[1])).toBeGreaterThanOrEqual(400);
    expect(closing).not.toContain('still_receiving');
  });

  it('closes at half the drain deadline when requests never stop, and says so', async () => {
    const { service, lines, url } = await startQuiet({ drainQuietMs: 400, drainTimeoutMs: 2000 });
    let stop = false;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (!stop) {
        statuses.push(
          await fetch(`${url}/`).then(
            (r) => r.status,
            () => 0,
          ),
        );
        await sleep(50);
      }
    })();
    await sleep(200);
    const began = Date.now();
    expect(await service.drain('test')).toBe(0);
    const drainedAfter = Date.now() - began;
    stop = true;
    await traffic;
    expect(drainedAfter).toBeGreaterThanOrEqual(1000);
    expect(drainedAfter).toBeLessThan(2000);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(5);
    const closing = lines.find((l) => l.includes('event=closing')) ?? '';
    expect(Number(/waited_ms=(\d+)/.exec(closing)?.[1])).toBeGreaterThanOrEqual(1000);
    expect(closing).toContain('still_receiving=true');
  });
});

describe('readConfig', () => {
  it('has the documented defaults', () => {
    expect(readConfig({ POD_NAME: 'x' })).toEqual({
      port: 8080,
      podName: 'x',
      drainTimeoutMs: 10_000,
      shutdownDelayMs: 1000,
      drainQuietMs: 1000,
      keepAliveTimeoutMs: 5_000,
      requestTimeoutMs: 10_000,
      debugRoutes: false,
      fault: { kind: 'none' },
    });
  });

  it.each([
    ['PORT', '-1'],
    ['PORT', '70000'],
    ['DRAIN_TIMEOUT_MS', '1.5'],
    ['SHUTDOWN_DELAY_MS', 'soon'],
    ['FAULT', 'error-rate:2'],
    ['FAULT', 'sometimes'],
    ['PORT', '0'],
    ['PORT', '1e4'],
    ['PORT', ' 80'],
    ['PORT', '0x50'],
    ['KEEP_ALIVE_TIMEOUT_MS', '0'],
    ['REQUEST_TIMEOUT_MS', '10'],
    ['POD_NAME', 'web-1\r\nSet-Cookie: x=1'],
    ['POD_NAME', 'two words'],
    ['HOST', '0.0.0.0; rm'],
    ['SHUTDOWN_DELAY_MS', '10000'],
    ['DRAIN_QUIET_MS', '-1'],
  ])('rejects %s=%s with a ConfigError naming the variable', (key, value) => {
    expect(() => readConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => readConfig({ [key]: value })).toThrow(new RegExp(`^${key}=`));
  });
});

describe('readConfig, across variables', () => {
  it('needs the shutdown delay below the drain deadline, and says why', () => {
    expect(() => readConfig({ SHUTDOWN_DELAY_MS: '5000', DRAIN_TIMEOUT_MS: '5000' })).toThrow(
      /^SHUTDOWN_DELAY_MS=5000 must be below DRAIN_TIMEOUT_MS=5000: /,
    );
    expect(readConfig({ SHUTDOWN_DELAY_MS: '4999', DRAIN_TIMEOUT_MS: '5000' }).shutdownDelayMs).toBe(4999);
  });
  it('takes PORT=0 (any free port) only when a test says so', () => {
    expect(readConfig({ PORT: '0', ALLOW_PORT_0: '1' }).port).toBe(0);
  });
  it('takes HOST', () => {
    expect(readConfig({ HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(readConfig({ HOST: '::1' }).host).toBe('::1');
  });
});

describe('a client that never finishes its request', () => {
  it("is dropped after requestTimeoutMs, not after Node's 60 s", async () => {
    const { connect } = await import('node:net');
    const service = await startService(
      { version: 'v9', text: 't' },
      { host: '127.0.0.1', config: { port: 0, requestTimeoutMs: 1000, shutdownDelayMs: 0 }, log: () => {} },
    );
    closers.push(async () => void (await service.drain('test')));
    const socket = connect(service.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const started = Date.now();
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Half: ');
    let answer = '';
    socket.on('data', (d) => {
      answer += d;
    });
    await new Promise((resolve) => socket.once('close', resolve));
    const waited = Date.now() - started;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // 1 s timeout, checked every second: closed within about 2 s (5 s leaves room for a busy machine).
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(5000);
  });
});

describe('faults (for bad-release images)', () => {
  it('reads FAULT', () => {
    expect(readConfig({ FAULT: 'never-ready' }).fault).toEqual({ kind: 'never-ready' });
    expect(readConfig({ FAULT: 'crash' }).fault).toEqual({ kind: 'crash' });
    expect(readConfig({ FAULT: 'error-rate:0.5' }).fault).toEqual({ kind: 'error-rate', rate: 0.5 });
  });

  it('never-ready keeps /readyz at 503; error-rate:1 answers / with 500', async () => {
    const state = { ready: true, draining: false };
    const spec = { version: 'v9', text: 'This is Version9 service' };
    const app = createApp(spec, {
      podName: 'p',
      startedAt: new Date(0),
      state,
      neverReady: true,
      errorRate: 1,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(500);
    expect(res.headers.get('x-app-version')).toBe('v9');
  });
});

describe('createLogger', () => {
  it('writes one logfmt line, quoting values with spaces', () => {
    const lines: string[] = [];
    createLogger({ version: 'v1' }, (l) => lines.push(l))('fatal', { error: 'port in use', code: 1 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^time=\S+ event=fatal version=v1 error="port in use" code=1$/);
  });
});
