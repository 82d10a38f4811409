import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { untilAnswering } from '../src/index.js';

describe('untilAnswering', () => {
  it('resolves once a server has answered ten times in a row', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await untilAnswering(`http://127.0.0.1:${port}/`, 10_000);
      expect(hits).toBe(10);
    } finally {
      server.close();
    }
  });

  it('names the URL and the last failure when nothing answers in time', async () => {
    await expect(untilAnswering('http://127.0.0.1:9/', 300)).rejects.toThrow(
      /^http:\/\/127\.0\.0\.1:9\/ did not answer 10 times in a row within 0\.3 s \(.+\)$/,
    );
  });
});
