import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createApp, type LifecycleState, PROBE_PATHS, type ServiceSpec } from './app.js';
import { readConfig, type ServiceConfig } from './config.js';
import { createLogger, type Logger } from './log.js';

export interface RunningService {
  readonly port: number;
  readonly server: Server;
  readonly state: Readonly<LifecycleState>;
  /** Starts the drain (idempotent); resolves with the exit code the process should use. */
  drain(reason: string): Promise<number>;
}

export interface StartOptions {
  config?: Partial<ServiceConfig>;
  log?: Logger;
  /** Listen address; the pod listens on all interfaces, tests on loopback. */
  host?: string;
}

/** A request target's path: what precedes the query, without allocating a copy when there is none. */
function pathOf(url = '/'): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Starts the HTTP server. Drain order matters for zero downtime: readiness fails first, the listener
 * stays open through the shutdown delay and for as long as requests keep coming (see drainQuietMs), then
 * closes, idle keep-alive sockets close, in-flight requests finish with `Connection: close`, and a hard
 * deadline destroys whatever is left.
 */
export async function startService(spec: ServiceSpec, options: StartOptions = {}): Promise<RunningService> {
  const config = { ...readConfig(), ...options.config };
  const log = options.log ?? createLogger({ version: spec.version, pod: config.podName });
  const state: LifecycleState = { ready: false, draining: false };
  const { fault } = config;
  const app = createApp(spec, {
    podName: config.podName,
    startedAt: new Date(),
    state,
    debugRoutes: config.debugRoutes,
    neverReady: fault.kind === 'never-ready',
    errorRate: fault.kind === 'error-rate' ? fault.rate : 0,
  });

  const server = createServer(
    {
      // A slow or half-sent request is dropped after requestTimeoutMs, checked every second (Node checks
      // every 30 s by default, which would triple the wait).
      headersTimeout: config.requestTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: 1000,
    },
    app,
  );
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  const inFlight = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // When the last request that came through a Service arrived (performance.now()).
  let lastRoutedAt = Number.NEGATIVE_INFINITY;
  server.on('request', (req, res: ServerResponse) => {
    if (!PROBE_PATHS.has(pathOf(req.url))) lastRoutedAt = performance.now();
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });

  log('starting', { port: config.port });
  if (fault.kind === 'crash') {
    // A release that crash-loops: it dies while starting, before it ever listens or turns ready.
    await new Promise((resolve) => setTimeout(resolve, 300));
    log('fatal', { kind: 'injected-crash' });
    process.exit(3);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, options.host ?? config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  state.ready = true;
  log('listening', { port, fault: fault.kind === 'none' ? undefined : fault.kind });

  let drained: Promise<number> | undefined;
  const drain = (reason: string): Promise<number> => {
    drained ??= new Promise<number>((resolve) => {
      state.ready = false;
      state.draining = true;
      log('draining', {
        reason,
        delay_ms: config.shutdownDelayMs,
        quiet_ms: config.drainQuietMs,
        deadline_ms: config.drainTimeoutMs,
      });
      // Responses in flight have not sent headers yet: they close their socket too (new ones get the
      // header from the app's middleware).
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const deadline = setTimeout(() => {
        log('drain-deadline', { inflight: inFlight.size, connections: sockets.size });
        server.closeAllConnections();
        resolve(1);
      }, config.drainTimeoutMs);

      const closeListener = (waitedMs: number, quietMs: number) => {
        log('closing', {
          inflight: inFlight.size,
          connections: sockets.size,
          waited_ms: Math.round(waitedMs),
          quiet_ms: Number.isFinite(quietMs) ? Math.round(quietMs) : undefined,
          // Traffic had not stopped by the limit: whoever routes here follows endpoint changes too slowly.
          still_receiving: quietMs < config.drainQuietMs || undefined,
        });
        // close() stops accepting; its callback fires once the last busy socket has closed after its
        // response. Idle keep-alive sockets are closed now (a FIN, not a reset).
        server.close(() => {
          clearTimeout(deadline);
          log('drained');
          resolve(0);
        });
        server.closeIdleConnections();
      };
      const began = performance.now();
      const latest = Math.max(config.shutdownDelayMs, config.drainTimeoutMs / 2);
      const closeWhenQuiet = () => {
        const now = performance.now();
        const waited = now - began;
        const quiet = now - lastRoutedAt;
        const delayed = waited >= config.shutdownDelayMs;
        if (waited >= latest || (delayed && quiet >= config.drainQuietMs)) {
          closeListener(waited, quiet);
          return;
        }
        const more = Math.max(config.shutdownDelayMs - waited, config.drainQuietMs - quiet);
        setTimeout(closeWhenQuiet, Math.min(more, latest - waited));
      };
      closeWhenQuiet();
    });
    return drained;
  };

  return { port, server, state, drain };
}

/** Process entry point: config from the environment, SIGTERM/SIGINT drain, exit code from the drain. */
export function runService(spec: ServiceSpec): void {
  let config: ServiceConfig;
  try {
    config = readConfig();
  } catch (error) {
    createLogger({ version: spec.version })('fatal', { kind: 'config', error: (error as Error).message });
    process.exit(2);
  }
  const log = createLogger({ version: spec.version, pod: config.podName });
  const started = startService(spec, { config, log });
  // Handlers go in before the server listens: a signal that arrives early still drains, never kills.
  const onSignal = (signal: NodeJS.Signals) => {
    log('signal', { signal });
    void started
      .then((service) => service.drain(signal))
      .then((code) => {
        log('exit', { code });
        process.exit(code);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  started.catch((error: unknown) => {
    log('fatal', { kind: 'startup', error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
}
