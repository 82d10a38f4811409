import type { Cluster } from '../client.js';

/** Bad usage: exit 2, nothing was sent to the cluster. */
export class UsageError extends Error {}

/** What a command module gets from the CLI: its positionals, the shared flags, the connection. */
export interface CommandContext {
  command: string;
  args: string[];
  namespace: string;
  timeoutMs: number;
  /** Connects on first use: commands that refuse their input never touch the kubeconfig. */
  cluster: () => Cluster;
  /** Progress: stderr, so that stdout holds only results (a chart, JSON). */
  progress: (message: string) => void;
  /** What an interruption (SIGINT) would leave behind, for its message. */
  setInterrupted: (message: string) => void;
}

/** Whole or decimal numbers within bounds, written plainly: "3e3", "0x10", " 5" are refused. */
export function numberFlag(
  name: string,
  raw: string | undefined,
  { min = 0, max = Number.MAX_SAFE_INTEGER, integer = true } = {},
): number {
  const plain = integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  const value = Number(raw);
  if (raw === undefined || !plain.test(raw) || value < min || value > max) {
    throw new UsageError(
      `--${name} needs a ${integer ? 'whole ' : ''}number from ${min} to ${max}, got ${JSON.stringify(raw ?? '')}`,
    );
  }
  return value;
}

export const MAX_REVISION = 2 ** 31 - 1;
export const MAX_REPLICAS = 100_000;
/** Node's timers fire at once beyond 2^31 − 1 ms (about 24.8 days): the longest wait we accept. */
export const MAX_WAIT_MS = 2 ** 31 - 1;

/**
 * A wait as kubectl writes it: "90s", "5m", "1h30m", "250ms", or plain seconds ("300"). "0" means no
 * limit (the longest timer Node can hold), unless `zero` says what it means.
 */
export function durationFlag(name: string, raw: string | undefined, { zero = MAX_WAIT_MS } = {}): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = Number.NaN;
  if (raw !== undefined && /^\d{1,9}$/.test(raw)) ms = Number(raw) * 1000;
  else if (raw !== undefined && /^(\d{1,9}(ms|s|m|h))+$/.test(raw)) {
    ms = 0;
    for (const [, n, unit] of raw.matchAll(/(\d+)(ms|s|m|h)/g))
      ms += Number(n) * (units[unit as string] ?? Number.NaN);
  }
  if (ms === 0) return zero;
  if (!Number.isFinite(ms) || ms > MAX_WAIT_MS) {
    throw new UsageError(
      `--${name} needs a duration like 90s, 5m or 1h30m (at most 596h), got ${JSON.stringify(raw ?? '')}`,
    );
  }
  return ms;
}

/** An http:// URL with a host, or a usage error naming the flag. */
export function httpUrl(name: string, raw: string | undefined): string {
  if (raw === undefined) throw new UsageError(`--${name} is required (an http:// URL that reaches the pods)`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--${name} is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' || !url.hostname) {
    throw new UsageError(`--${name} must be an http:// URL, got ${JSON.stringify(raw)}`);
  }
  return url.href;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A Deployment as kubectl takes it: NAME, deploy/NAME, deployment/NAME or deployment.apps/NAME. */
export function deploymentName(raw: string): string {
  const slash = raw.indexOf('/');
  const kind = slash < 0 ? undefined : raw.slice(0, slash);
  const name = slash < 0 ? raw : raw.slice(slash + 1);
  if (kind !== undefined && !['deploy', 'deployment', 'deployments', 'deployment.apps'].includes(kind)) {
    throw new UsageError(`${JSON.stringify(raw)} is not a Deployment (write NAME or deployment/NAME)`);
  }
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    throw new UsageError(
      `${JSON.stringify(name)} is not a valid Deployment name (lower-case letters, digits, '-' and '.')`,
    );
  }
  return name;
}

export function namespaceName(raw: string): string {
  if (raw.length > 63 || !DNS_LABEL.test(raw)) {
    throw new UsageError(
      `${JSON.stringify(raw)} is not a valid namespace name (lower-case letters, digits, '-')`,
    );
  }
  return raw;
}
