// The CLI: parse, find the command, check its flags, run it. No side effects at import (bin is cli.ts).
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import type { Cluster } from '../api/client.js';
import type { DryRun } from '../api/write.js';
import { namespaceName } from '../resources/names.js';
import type { Target } from '../resources/objects.js';
import type { Outcome } from '../verbs/decision.js';
import { canaryCommand } from './canary.js';
import { completionCommand } from './completion.js';
import {
  type Command,
  type CommandContext,
  durationFlag,
  type FlagSpec,
  type Flags,
  UsageError,
} from './context.js';
import { getCommand } from './get.js';
import { historyCommand } from './history.js';
import { pauseResumeCommand } from './pause-resume.js';
import { planCommand } from './plan.js';
import { restartCommand } from './restart.js';
import { scaleCommand } from './scale.js';
import { setImageCommand } from './set-image.js';
import { statusCommand } from './status.js';
import { switchCommand } from './switch.js';
import { undoCommand } from './undo.js';
import { commandHelp, commandNames, USAGE } from './usage.js';
import { verifyCommand } from './verify.js';
import { watchCommand } from './watch.js';

/** Flags every command takes. */
export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  namespace: { type: 'string', short: 'n' },
  context: { type: 'string' },
  kubeconfig: { type: 'string' },
  timeout: { type: 'string' },
  kubectl: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
};

const COMMANDS: Command[] = [
  statusCommand,
  setImageCommand,
  historyCommand,
  undoCommand,
  pauseResumeCommand,
  restartCommand,
  scaleCommand,
  canaryCommand,
  switchCommand,
  planCommand,
  watchCommand,
  verifyCommand,
  getCommand,
  completionCommand(commandNames, () => allFlagNames()),
];

/** The parser's options: every command's flags, which must agree where two commands share a name. */
export function allFlags(commands: readonly Command[] = COMMANDS): Record<string, FlagSpec> {
  const all: Record<string, FlagSpec> = { ...GLOBAL_FLAGS };
  for (const command of commands) {
    for (const [name, spec] of Object.entries(command.flags)) {
      const seen = all[name];
      if (seen && (seen.type !== spec.type || seen.short !== spec.short || seen.multiple !== spec.multiple)) {
        throw new Error(`flag --${name} is declared two ways (${command.names.join('/')})`);
      }
      all[name] = spec;
    }
  }
  return all;
}

const allFlagNames = () =>
  Object.entries(allFlags()).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);

export const findCommand = (name: string) => COMMANDS.find((c) => c.names.includes(name));

/** A flag of another command is refused, never ignored (`history --weight 5`). */
export function checkOwnFlags(command: Command, name: string, flags: Flags): void {
  const foreign = Object.keys(flags).filter(
    (f) => flags[f] !== undefined && !(f in GLOBAL_FLAGS) && !(f in command.flags),
  );
  if (foreign.length) {
    const list = foreign.map((f) => `--${f}`).join(', ');
    throw new UsageError(
      `${list} ${foreign.length > 1 ? 'are not flags' : 'is not a flag'} of ${name} (rollout help ${name})`,
    );
  }
}

export function dryRunFlag(raw: unknown): DryRun | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'client' || raw === 'server') return raw;
  throw new UsageError(`--dry-run must be client or server, got ${JSON.stringify(raw)}`);
}

/** The package's version, from its package.json (dist/cli/main.js and bundle/cli.mjs sit at different depths). */
function packageVersion(): string {
  const require = createRequire(import.meta.url);
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(path) as { name?: string; version?: string };
      if (pkg.name === '@rollout-lab/rollout' && pkg.version) return pkg.version;
    } catch {}
  }
  return 'unknown';
}

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Records what an interruption would leave behind; `own` hands Ctrl-C to the command. */
  interrupted: {
    set: (message: string) => void;
    own: () => void;
    /** Runs (briefly) before an interrupted process exits: a Lease given back. */
    cleanup: (fn: () => Promise<void>) => void;
  };
}

export async function main(argv: string[], io: Io): Promise<void> {
  const { values, positionals } = (() => {
    try {
      return parseArgs({ args: argv, options: allFlags(), allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message.split('\n')[0]);
    }
  })();
  const [name, ...args] = positionals;
  if (values.version) return io.out(`rollout ${packageVersion()}`);
  if (name === 'help' && args[0]) return io.out(commandHelp(args[0]));
  if (values.help && name) return io.out(commandHelp(name));
  if (values.help || !name || name === 'help') {
    io.out(USAGE);
    if (!name && !values.help) throw new UsageError('no command given');
    return;
  }
  const command = findCommand(name);
  if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  const flags = values as Flags;
  checkOwnFlags(command, name, flags);
  const timeoutMs = durationFlag('timeout', (values.timeout as string | undefined) ?? '5m');
  const dryRun = dryRunFlag(values['dry-run']);
  const explicitNamespace =
    values.namespace === undefined ? undefined : namespaceName(values.namespace as string);
  // The Kubernetes client is most of the CLI's start-up: loaded only for a command that reaches a cluster.
  const client = command.cluster === false ? undefined : await import('../api/client.js');
  let cluster: Cluster | undefined;
  const connected = () => {
    if (!client) throw new Error(`${name} reaches no cluster`);
    cluster ??= client.connect({
      kubeconfig: values.kubeconfig as string | undefined,
      context: values.context as string | undefined,
    });
    return cluster;
  };
  const ctx: CommandContext = {
    command: name,
    args,
    // kubectl's rule: -n, else the context's namespace, else "default"; read only when a command needs it.
    get namespace() {
      return explicitNamespace ?? namespaceName(connected().namespace);
    },
    timeoutMs,
    dryRun,
    wait: values.wait === true,
    cluster: connected,
    out: io.out,
    progress: (message) => io.err(`  ${message}`),
    setInterrupted: io.interrupted.set,
    ownInterrupt: io.interrupted.own,
    onInterrupt: io.interrupted.cleanup,
    target: (deployment): Target => ({ namespace: ctx.namespace, name: deployment }),
    report: async (outcome: Outcome, waitAfter?: Target) => {
      io.out(outcome.message);
      if (values.kubectl) for (const line of outcome.kubectl) io.out(`  kubectl equivalent: ${line}`);
      // Waiting even when nothing changed: a rerun after an interruption then converges on the finished
      // state. A dry run changed nothing to wait for.
      if (waitAfter && ctx.wait && !dryRun) {
        const { waitForRollout } = await import('../verbs/status.js');
        await waitForRollout(connected(), waitAfter, {
          timeoutMs,
          onProgress: ctx.progress,
          untilOldPodsGone: true,
        });
        io.out(`deployment ${JSON.stringify(waitAfter.name)} successfully rolled out; no old pods left`);
      }
    },
  };
  await command.run(ctx, flags);
}
