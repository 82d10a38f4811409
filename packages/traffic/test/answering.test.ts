import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { untilAnswering } from '../src/index.js';

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

  it('gives up on a server that does not answer, at the deadline', async () => {
    const started = Date.now();
    await withServer(
      () => {},
      (url) =>
        expect(untilAnswering(url, { timeoutMs: 400 })).rejects.toThrow(
          /did not answer 10 times in a row within 0\.4 s \(no answer within \d+ ms\)$/,
        ),
    );
    // Each request is cut at the deadline: no 2 s request timeout, nor the 60 s default, runs on.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
