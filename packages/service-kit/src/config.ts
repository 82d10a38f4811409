import { hostname } from 'node:os';

/** Runtime settings, read once from the environment. */
export interface ServiceConfig {
  port: number;
  /** Listen address (HOST); unset: every interface, as a pod needs. */
  host?: string;
  podName: string;
  /** Hard limit for draining after SIGTERM; keep it below the pod's terminationGracePeriodSeconds. */
  drainTimeoutMs: number;
  /**
   * After SIGTERM, keep serving this long (readiness failing, every response `Connection: close`) before
   * closing the listener and idle keep-alive sockets. Clients still holding a connection to this pod
   * move off on their next request instead of racing a close; load balancers that only watch
   * readiness notice meanwhile. In Kubernetes the preStop sleep comes before this.
   */
  shutdownDelayMs: number;
  /**
   * Lame duck: after the shutdown delay the listener stays open until no request (probes aside) has
   * arrived for this long, at most half of drainTimeoutMs. Requests still arriving mean kube-proxy or a
   * load balancer has not caught up with the pod's end yet; closing then would refuse them. 0: off.
   */
  drainQuietMs: number;
  /** How long an idle keep-alive connection stays open (Node's default is 5 s); at least 1. */
  keepAliveTimeoutMs: number;
  /**
   * A client has this long to send its request headers, and the whole request, before the socket is
   * dropped (Node's defaults are 60 s and 300 s: a client that sends half a header holds a socket that
   * long, and a draining pod waits for it).
   */
  requestTimeoutMs: number;
  /** Enables /debug/slow, used by tests to hold a request open across SIGTERM. */
  debugRoutes: boolean;
  /** A deliberate defect, for "bad release" images in tests (FAULT=never-ready|crash|error-rate:P). */
  fault: Fault;
}

export type Fault =
  | { kind: 'none' }
  | { kind: 'never-ready' }
  | { kind: 'crash' }
  | { kind: 'error-rate'; rate: number };

function faultFrom(raw: string | undefined): Fault {
  if (!raw) return { kind: 'none' };
  if (raw === 'never-ready' || raw === 'crash') return { kind: raw };
  const rate = /^error-rate:(0(?:\.\d+)?|1(?:\.0+)?)$/.exec(raw)?.[1];
  if (rate !== undefined) return { kind: 'error-rate', rate: Number(rate) };
  throw new ConfigError(
    `FAULT=${JSON.stringify(raw)}: use never-ready, crash or error-rate:P with P between 0 and 1`,
  );
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function intFrom(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  // Digits only: Number() would take "1e4", "0x10", " 5" and "5.0".
  const value = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key}=${JSON.stringify(raw)} is not a whole number between ${min} and ${max}`);
  }
  return value;
}

/** A pod name goes into a response header on every answer: printable ASCII, no space, as Kubernetes names are. */
function podNameFrom(raw: string | undefined): string {
  const name = raw || hostname();
  if (!/^[\x21-\x7e]{1,253}$/.test(name)) {
    throw new ConfigError(
      `POD_NAME=${JSON.stringify(name)} cannot go into a header: 1 to 253 printable ASCII characters, no spaces`,
    );
  }
  return name;
}

function hostFrom(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[\w.:-]{1,253}$/.test(raw)) {
    throw new ConfigError(`HOST=${JSON.stringify(raw)} is not an address or host name to listen on`);
  }
  return raw;
}

/**
 * The service's settings from its environment; a bad value is a ConfigError naming the variable (the
 * process then exits 2 before it listens). PORT=0 (any free port) only with ALLOW_PORT_0=1, as tests set.
 */
export function readConfig(env: Env = process.env): ServiceConfig {
  const drainTimeoutMs = intFrom(env, 'DRAIN_TIMEOUT_MS', 10_000, 1, 600_000);
  const shutdownDelayMs = intFrom(env, 'SHUTDOWN_DELAY_MS', 1000, 0, 600_000);
  if (shutdownDelayMs >= drainTimeoutMs) {
    throw new ConfigError(
      `SHUTDOWN_DELAY_MS=${shutdownDelayMs} must be below DRAIN_TIMEOUT_MS=${drainTimeoutMs}: the drain deadline would pass before the listener closes, and every stop would exit 1`,
    );
  }
  const host = hostFrom(env.HOST);
  return {
    // 0 (any free port) is for tests, which say so explicitly: a pod on a random port is unreachable.
    port: intFrom(env, 'PORT', 8080, env.ALLOW_PORT_0 === '1' ? 0 : 1, 65_535),
    ...(host ? { host } : {}),
    podName: podNameFrom(env.POD_NAME),
    drainTimeoutMs,
    shutdownDelayMs,
    drainQuietMs: intFrom(env, 'DRAIN_QUIET_MS', 1000, 0, 600_000),
    keepAliveTimeoutMs: intFrom(env, 'KEEP_ALIVE_TIMEOUT_MS', 5_000, 1, 600_000),
    requestTimeoutMs: intFrom(env, 'REQUEST_TIMEOUT_MS', 10_000, 1000, 600_000),
    debugRoutes: env.ENABLE_DEBUG_ROUTES === '1',
    fault: faultFrom(env.FAULT),
  };
}
