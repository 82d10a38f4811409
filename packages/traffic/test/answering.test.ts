import { spawn } from 'node:child_process';
import { createServer, type RequestListener } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { CONNECT_TIMEOUT_MS } from '../src/answering.js';
import { untilAnswering } from '../src/index.js';
import { closeWatchingServer } from './servers.js';

/** A local server for `fn`, and how many connections it saw. */
async function withServer(handler: RequestListener, fn: (url: string) => Promise<void>): Promise<number> {
  let connections = 0;
  const server = createServer(handler);
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await fn(`http://127.0.0.1:${port}/`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
  return connections;
}

describe('untilAnswering', () => {
  it('resolves once a server has answered ten times in a row, each on a connection of its own', async () => {
    let hits = 0;
    const connections = await withServer(
      (_req, res) => {
        hits++;
        res.end('ok');
      },
      (url) => untilAnswering(url),
    );
    expect(hits).toBe(10);
    expect(connections).toBe(10);
  });

  it('closes each connection itself, so that TIME_WAIT stays on the client, not in the pod', async () => {
    const server = await closeWatchingServer();
    try {
      await untilAnswering(server.url);
      await vi.waitFor(() => expect(server.closedBy).toHaveLength(10), { timeout: 5000 });
      expect(server.closedBy).toEqual(Array(10).fill('client'));
    } finally {
      await server.close();
    }
  });

  it('counts only the answers accept takes, and starts again after one it does not', async () => {
    // Two in a row from pod a wanted: each b breaks a run, so the sixth answer ends it.
    const pods = ['a', 'b', 'a', 'b', 'a', 'a'];
    let hits = 0;
    await withServer(
      (_req, res) => {
        res.setHeader('x-pod-name', pods[hits++] ?? 'a');
        res.end('ok');
      },
      (url) => untilAnswering(url, { inARow: 2, accept: (a) => a.headers['x-pod-name'] === 'a' }),
    );
    expect(hits).toBe(6);
  });

  it('names the URL, who had to answer and the last answer when none counted in time', async () => {
    await withServer(
      (_req, res) => {
        res.setHeader('x-pod-name', 'blue-1');
        res.end('ok');
      },
      (url) =>
        expect(untilAnswering(url, { timeoutMs: 500, from: 'green-', accept: () => false })).rejects.toThrow(
          /^http:\/\/127\.0\.0\.1:\d+\/ did not answer from green- 10 times in a row within 0\.5 s \(HTTP 200 from pod blue-1, not accepted\)$/,
        ),
    );
  });

  it('names the URL and the network error when nothing answers in time', async () => {
    await expect(untilAnswering('http://127.0.0.1:9/', { timeoutMs: 300 })).rejects.toThrow(
      /^http:\/\/127\.0\.0\.1:9\/ did not answer 10 times in a row within 0\.3 s \(.*ECONNREFUSED.*\)$/,
    );
  });

  it('refuses a URL, count or timeout it cannot use at once, without a request', async () => {
    for (const [url, options, message] of [
      ['https://127.0.0.1/', {}, /needs an http:\/\/ URL, got "https:\/\/127\.0\.0\.1\/"/],
      ['127.0.0.1:80', {}, /needs an http:\/\/ URL/],
      ['http://127.0.0.1:9/', { inARow: 0 }, /whole number of answers from 1, got 0/],
      ['http://127.0.0.1:9/', { inARow: 2.5 }, /whole number of answers from 1, got 2\.5/],
      ['http://127.0.0.1:9/', { timeoutMs: Number.NaN }, /timeout above 0 ms, got NaN/],
    ] as const) {
      const started = Date.now();
      await expect(untilAnswering(url, options), url).rejects.toThrow(message);
      expect(Date.now() - started).toBeLessThan(10_000); // not the 60 s default deadline
    }
  });

  it('gives up a connection whose handshake does not finish before a SYN would be sent again', async () => {
    // A listener with a backlog of 1 in a stopped process: once its queue is full, the kernel drops SYNs.
    const code = `require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 },
      function () { console.log(this.address().port); })`;
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    const fillers: Socket[] = [];
    try {
      const port = await new Promise<number>((resolve) =>
        child.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
      );
      child.kill('SIGSTOP');
      // Fill the queue (a backlog of 1 holds 2): the SYNs after those are dropped.
      for (let i = 0; i < 4; i++) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => {});
        fillers.push(socket);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(CONNECT_TIMEOUT_MS).toBeLessThan(1000);
      const error = await untilAnswering(`http://127.0.0.1:${port}/`, { timeoutMs: 3000 }).catch(
        (e: Error) => e,
      );
      expect(String(error)).toMatch(
        new RegExp(
          `did not answer 10 times in a row within 3 s \\(no connection within ${CONNECT_TIMEOUT_MS} ms\\)$`,
        ),
      );
    } finally {
      for (const socket of fillers) socket.destroy();
      child.kill('SIGKILL');
    }
  });

  it('gives up on a server that does not answer, at the deadline', async () => {
    const started = Date.now();
    await withServer(
      () => {},
      (url) =>
        expect(untilAnswering(url, { timeoutMs: 400 })).rejects.toThrow(
          /did not answer 10 times in a row within 0\.4 s \(no answer within 2000 ms\)$/,
        ),
    );
    // One request may run past the deadline (2 s at most to answer), not the 60 s default.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
