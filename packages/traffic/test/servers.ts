import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import {
  type AddressInfo,
  connect,
  createServer as createTcpServer,
  type Server as TcpServer,
} from 'node:net';

export interface Local {
  url: string;
  port: number;
  close(): Promise<void>;
}

const seedText = (version: string) => `This is Version${version.slice(1)} service`;

async function listen(server: Server | TcpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** An HTTP server on a free local port; closing it ends its open connections too. */
async function local(server: Server): Promise<Local> {
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A seed-like server whose version (and latency) is decided per request. */
export async function versionServer(pick: () => string, delayMs = 0): Promise<Local> {
  const server = createServer((_req, res) => {
    const version = pick();
    setTimeout(() => {
      res.writeHead(200, {
        'content-type': 'text/plain',
        'x-app-version': version,
        'x-pod-name': `pod-${version}`,
      });
      res.end(seedText(version));
    }, delayMs);
  });
  return local(server);
}

/** Like kube-proxy in iptables mode: each new connection goes to a backend chosen at random. */
export async function randomBalancer(backends: number[]): Promise<Local> {
  const server = createTcpServer((client) => {
    const port = backends[Math.floor(Math.random() * backends.length)] as number;
    const upstream = connect(port, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const destroy = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', destroy);
    upstream.on('error', destroy);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A seed v1 server in its own process, so that it can be killed for real. */
export async function childServer(delayMs: number): Promise<Local & { child: ChildProcess }> {
  const code = `
    const http = require('node:http');
    const server = http.createServer((req, res) => setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-app-version': 'v1' });
      res.end('This is Version1 service');
    }, ${delayMs}));
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  `;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
  );
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * A seed-like v1 server that notes which side closed each connection first, as it sees it when the other
 * side's FIN arrives: 'server' when it had already ended its own side.
 */
export async function closeWatchingServer(): Promise<Local & { closedBy: Array<'client' | 'server'> }> {
  const closedBy: Array<'client' | 'server'> = [];
  const server = createServer((_req, res) => res.end(seedText('v1')));
  server.on('connection', (socket) => {
    // Ahead of the HTTP server's own listener, which ends this side in answer to the FIN.
    socket.prependListener('end', () => closedBy.push(socket.writableEnded ? 'server' : 'client'));
  });
  return { ...(await local(server)), closedBy };
}
