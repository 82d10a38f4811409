import { spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type SpawnedService, spawnService } from '@rollout-lab/service-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';

// The built artefact, exactly what the image runs.
const entry = fileURLToPath(new URL('../bundle/server.cjs', import.meta.url));
const running: SpawnedService[] = [];
const start = async (env: Record<string, string> = {}) => {
  const service = await spawnService(entry, env);
  running.push(service);
  return service;
};
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

/** A raw keep-alive HTTP/1.1 client on one socket, to see exactly what happens to the connection. */
function rawClient(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  let buffer = '';
  const events: string[] = [];
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
  });
  socket.on('end', () => events.push('end'));
  socket.on('error', (error: NodeJS.ErrnoException) => events.push(`error:${error.code}`));
  const closed = new Promise<boolean>((resolve) => socket.on('close', resolve));
  return {
    events,
    closed,
    send: (path: string) =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\n\r\n`),
    /** Waits until `count` complete responses have arrived and returns their heads. */
    async responses(count: number): Promise<string[]> {
      for (let i = 0; i < 200; i++) {
        const heads = buffer.match(/HTTP\/1\.1 \d{3}[\s\S]*?\r\n\r\n/g) ?? [];
        if (heads.length >= count) return heads;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`fewer than ${count} responses; got: ${buffer}`);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('myapp-v1 as a process', () => {
  it('answers / with the seed text and version headers', async () => {
    const app = await start({ POD_NAME: 'deploy-myapp-abc12' });
    const res = await fetch(`${app.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.headers.get('x-app-version')).toBe('v1');
    expect(res.headers.get('x-pod-name')).toBe('deploy-myapp-abc12');
    expect(await res.text()).toBe('This is Version1 service');
  });

  it('falls back to the hostname for X-Pod-Name', async () => {
    const app = await start({ POD_NAME: '' });
    const res = await fetch(`${app.url}/`);
    expect(res.headers.get('x-pod-name')).toBe(hostname());
  });

  it('serves /version as JSON and has no preview feature', async () => {
    const app = await start({ POD_NAME: 'p1' });
    const body = (await (await fetch(`${app.url}/version`)).json()) as Record<string, string>;
    expect(body.version).toBe('v1');
    expect(body.pod).toBe('p1');
    expect(new Date(body.startedAt as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await fetch(`${app.url}/preview`)).status).toBe(404);
  });

  it('is live and ready while running', async () => {
    const app = await start();
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('ready');
  });

  it('fails readiness from the moment SIGTERM arrives, while still serving', async () => {
    const app = await start({ SHUTDOWN_DELAY_MS: '1500' });
    app.child.kill('SIGTERM');
    await app.waitForLine(/event=draining/);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toBe('draining');
    const page = await fetch(`${app.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('connection')).toBe('close');
    expect(await app.exited).toEqual({ code: 0, signal: null });
  });

  it('finishes an in-flight request after SIGTERM, then exits 0', async () => {
    const app = await start({ ENABLE_DEBUG_ROUTES: '1' });
    const slow = fetch(`${app.url}/debug/slow?ms=2000`);
    await sleep(150);
    app.child.kill('SIGTERM');
    await app.waitForLine(/event=closing .*inflight=1/);
    const res = await slow;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('slept 2000 ms');
    expect(await app.exited).toEqual({ code: 0, signal: null });
    const events = app.lines.map((line) => /event=(\S+)/.exec(line)?.[1]);
    expect(events).toEqual(['starting', 'listening', 'signal', 'draining', 'closing', 'drained', 'exit']);
    expect(app.lines.at(-1)).toMatch(/event=exit .*code=0/);
  });

  it('sends Connection: close to a busy keep-alive client, then closes cleanly', async () => {
    const app = await start({ ENABLE_DEBUG_ROUTES: '1' });
    const client = rawClient(app.port);
    client.send('/');
    await client.responses(1);
    client.send('/debug/slow?ms=600');
    await sleep(150);
    app.child.kill('SIGTERM');
    const heads = await client.responses(2);
    expect(heads[0]).toMatch(/connection: keep-alive/i);
    expect(heads[1]).toMatch(/^HTTP\/1.1 200/);
    expect(heads[1]).toMatch(/connection: close/i);
    expect(await client.closed).toBe(false); // false: closed without a transmission error
    expect(client.events).toEqual(['end']);
    expect(await app.exited).toEqual({ code: 0, signal: null });
  });

  it('closes idle keep-alive connections with a FIN, never a reset', async () => {
    const app = await start();
    const client = rawClient(app.port);
    client.send('/');
    await client.responses(1);
    app.child.kill('SIGTERM');
    expect(await client.closed).toBe(false);
    expect(client.events).toEqual(['end']);
    expect(await app.exited).toEqual({ code: 0, signal: null });
  });

  it('drains on SIGINT too', async () => {
    const app = await start();
    app.child.kill('SIGINT');
    expect(await app.exited).toEqual({ code: 0, signal: null });
    await app.waitForLine(/event=signal .*signal=SIGINT/);
  });

  it('gives up at the drain deadline: destroys what is left and exits 1', async () => {
    const app = await start({ ENABLE_DEBUG_ROUTES: '1', DRAIN_TIMEOUT_MS: '300', SHUTDOWN_DELAY_MS: '0' });
    const slow = fetch(`${app.url}/debug/slow?ms=10000`).then(
      () => 'answered',
      () => 'cut',
    );
    await sleep(150);
    const sent = Date.now();
    app.child.kill('SIGTERM');
    expect(await app.exited).toEqual({ code: 1, signal: null });
    expect(Date.now() - sent).toBeLessThan(3000);
    expect(await slow).toBe('cut');
    await app.waitForLine(/event=drain-deadline .*inflight=1/);
  });

  it('refuses a bad PORT with a clear message and exit code 2', () => {
    const run = spawnSync(process.execPath, [entry], {
      env: { ...process.env, PORT: 'eighty' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/event=fatal .*kind=config/);
    expect(run.stdout).toContain('PORT=\\"eighty\\" is not a whole number between 1 and 65535');
  });
});
