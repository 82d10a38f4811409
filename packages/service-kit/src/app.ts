import express, { type Express, type Request, type Response } from 'express';

export type RouteHandler = (req: Request, res: Response) => void;

/** What makes one version of the sample service different from another. */
export interface ServiceSpec {
  /** Short version name sent in X-App-Version, e.g. "v1". */
  version: string;
  /** Body of GET /, e.g. "This is Version1 service". */
  text: string;
  /** Extra GET routes this version adds (its "new features"). */
  features?: Record<string, RouteHandler>;
}

/** Mutable lifecycle flags shared by the app and the server that drains it. */
export interface LifecycleState {
  ready: boolean;
  draining: boolean;
}

export interface AppContext {
  podName: string;
  startedAt: Date;
  state: LifecycleState;
  debugRoutes?: boolean;
  /** Share of GET / answered with 500 (a faulty release, for tests); default 0. */
  errorRate?: number;
  /** Readiness never passes (a release that never becomes ready, for tests). */
  neverReady?: boolean;
}

/** The kubelet's probes: they come to the pod directly, never through a Service. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

export function createApp(spec: ServiceSpec, ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((_req, res, next) => {
    res.set('X-App-Version', spec.version);
    res.set('X-Pod-Name', ctx.podName);
    res.set('Cache-Control', 'no-store');
    // Once draining, every response tells a keep-alive client to take its next request elsewhere.
    if (ctx.state.draining) res.set('Connection', 'close');
    next();
  });

  app.get('/', (_req, res) => {
    if (ctx.errorRate && Math.random() < ctx.errorRate) {
      res.status(500).type('text/plain').send('injected fault');
      return;
    }
    res.type('text/plain').send(spec.text);
  });
  app.get('/version', (_req, res) => {
    res.json({ version: spec.version, pod: ctx.podName, startedAt: ctx.startedAt.toISOString() });
  });
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  app.get('/readyz', (_req, res) => {
    if (ctx.state.ready && !ctx.neverReady) res.type('text/plain').send('ready');
    else
      res
        .status(503)
        .type('text/plain')
        .send(ctx.state.draining ? 'draining' : 'starting');
  });
  for (const [path, handler] of Object.entries(spec.features ?? {})) app.get(path, handler);

  if (ctx.debugRoutes) {
    app.get('/debug/slow', (req, res) => {
      const ms = Math.min(Number(req.query.ms) || 1000, 60_000);
      setTimeout(() => res.type('text/plain').send(`slept ${ms} ms`), ms);
    });
  }

  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not Found');
  });
  return app;
}
