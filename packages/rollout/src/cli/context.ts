import type { Cluster } from '../api/client.js';
import type { DryRun } from '../api/write.js';
import { InvalidInputError } from '../errors.js';
import { deploymentName } from '../resources/names.js';
import type { Target } from '../resources/objects.js';
import type { Outcome } from '../verbs/decision.js';

/** Bad usage: exit 2, nothing was sent to the cluster (a kind of invalid input, as a bad name is). */
export class UsageError extends InvalidInputError {}

/** A flag as node:util's parseArgs declares it. */
export type FlagSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };
export type Flags = Record<string, string | boolean | string[] | undefined>;

/** One command: its names, the flags it owns, and what it does. The CLI refuses another command's flags. */
export interface Command {
  names: readonly string[];
  flags: Readonly<Record<string, FlagSpec>>;
  /** False for a command that never reaches a cluster: the Kubernetes client is then not loaded. */
  cluster?: false;
  run: (ctx: CommandContext, flags: Flags) => Promise<void>;
}

/** What a command module gets from the CLI: its positionals, the shared flags, the connection. */
export interface CommandContext {
  command: string;
  args: string[];
  /** -n, else the kubeconfig context's namespace, else "default" (read on first use). */
  readonly namespace: string;
  timeoutMs: number;
  /** --dry-run=client|server. */
  dryRun?: DryRun;
  /** --wait: after a write, wait until the rollout is complete and no old pod is left. */
  wait: boolean;
  /** Connects on first use: commands that refuse their input never touch the kubeconfig. */
  cluster: () => Cluster;
  /** A result line: stdout. */
  out: (line: string) => void;
  /** Progress: stderr, so that stdout holds only results (a chart, JSON). */
  progress: (message: string) => void;
  /** What an interruption (SIGINT) would leave behind, for its message. */
  setInterrupted: (message: string) => void;
  /** Ctrl-C is this command's own (it ends a live view); the CLI's message is not printed. */
  ownInterrupt: () => void;
  /** Work to finish before an interrupted command exits (a Lease given back), bounded in time. */
  onInterrupt: (fn: () => Promise<void>) => void;
  /** Prints an outcome (and its kubectl equivalents with --kubectl); with --wait, waits after it. */
  report: (outcome: Outcome, waitAfter?: Target) => Promise<void>;
  /** A Target in the command's namespace. */
  target: (name: string) => Target;
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

/**
 * Exactly `count` positionals (at least, with `more`): an extra word is refused, never ignored. The
 * first `names` of them are Deployments, checked as Kubernetes names before any request.
 */
export function positionals(
  ctx: Pick<CommandContext, 'command' | 'args'>,
  count: number,
  usage: string,
  { more = false, deployments = count } = {},
): string[] {
  const { command, args } = ctx;
  if (args.length < count) throw new UsageError(`${command} needs ${usage}`);
  if (!more && args.length > count) {
    const hint =
      command === 'undo' && /^\d+$/.test(args[1] ?? '')
        ? `; for a revision write --to-revision ${args[1]}`
        : '';
    throw new UsageError(`${command} takes ${usage}, got an extra ${JSON.stringify(args[count])}${hint}`);
  }
  return args.map((a, i) => (i < deployments ? deploymentName(a) : a));
}

/** -o for read commands: json or yaml; anything else is a usage error. */
export function outputFormat(
  raw: unknown,
  allowed: readonly string[] = ['json', 'yaml'],
): 'json' | 'yaml' | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && allowed.includes(raw)) return raw as 'json' | 'yaml';
  throw new UsageError(`-o supports ${allowed.join(' and ')}, got ${JSON.stringify(raw)}`);
}

/** A string flag's value (parseArgs gives strings for string flags; the type says so here). */
export const str = (flags: Flags, name: string): string | undefined => flags[name] as string | undefined;
