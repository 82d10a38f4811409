import { hostname } from 'node:os';

/** Runtime settings, read once from the environment. */
export interface ServiceConfig {
  port: number;
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
  /** How long an idle keep-alive connection stays open (Node's default is 5 s). */
  keepAliveTimeoutMs: number;
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
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key}=${JSON.stringify(raw)} is not an integer between ${min} and ${max}`);
  }
  return value;
}

export function readConfig(env: Env = process.env): ServiceConfig {
  return {
    port: intFrom(env, 'PORT', 8080, 0, 65_535),
    podName: env.POD_NAME || hostname(),
    drainTimeoutMs: intFrom(env, 'DRAIN_TIMEOUT_MS', 10_000, 0, 600_000),
    shutdownDelayMs: intFrom(env, 'SHUTDOWN_DELAY_MS', 1000, 0, 600_000),
    keepAliveTimeoutMs: intFrom(env, 'KEEP_ALIVE_TIMEOUT_MS', 5_000, 0, 600_000),
    debugRoutes: env.ENABLE_DEBUG_ROUTES === '1',
    fault: faultFrom(env.FAULT),
  };
}
