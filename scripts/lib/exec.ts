import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { $, type ProcessOutput } from 'zx';
import { cachePath } from './config.js';

// bash runs ~/.bashrc when it takes itself for a shell that rshd started: a top-level one (SHLVL unset
// or 0, as under pnpm without a terminal) whose stdin is a socket, which Node's stdio pipes are. A
// ~/.bashrc running `pyenv init` made each command cost 0.6 s; marked as nested, no shell of ours reads it.
if (!(Number(process.env.SHLVL) >= 1)) process.env.SHLVL = '1';

export class CommandError extends Error {
  override name = 'CommandError';
}

/** Quiet zx: output is captured, shown only when a command fails. */
export const q = $({ quiet: true });

/** True when `command` is on PATH. */
export async function has(command: string): Promise<boolean> {
  return (await q`command -v ${command}`.nothrow()).exitCode === 0;
}

/**
 * Runs a long command with its output in a log file under the cache (logs/<name>.log); on failure the
 * error carries the log's last lines and its path.
 */
export async function logged(
  name: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; signal?: AbortSignal } = {},
): Promise<string> {
  if (options.signal?.aborted) throw new CommandError(`${command} ${args.join(' ')}: not started, stopped`);
  const log = cachePath('logs', `${name}.log`);
  await mkdir(dirname(log), { recursive: true });
  const out = createWriteStream(log);
  const p = $({
    quiet: true,
    nothrow: true,
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input,
  })`${command} ${args}`;
  // zx's kill() ends the whole process tree (a go build's compilers too), not just the command.
  const stop = () => void p.kill().catch(() => {});
  options.signal?.addEventListener('abort', stop, { once: true });
  p.stdout.pipe(out, { end: false });
  p.stderr.pipe(out, { end: false });
  const result: ProcessOutput = await p.finally(() => options.signal?.removeEventListener('abort', stop));
  out.end();
  if (result.exitCode !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new CommandError(`${command} ${args.join(' ')} exited ${result.exitCode} (log: ${log}):\n${tail}`);
  }
  return result.stdout;
}

/**
 * The command line that runs `command` only on CPU time nothing else wants: SCHED_IDLE (`chrt --idle 0`,
 * no privilege needed; children inherit it), or nice 19 where chrt is missing. A task of normal priority
 * that wakes preempts it at once, so a build can go on beside a suite that is being measured.
 */
export async function atIdlePriority(command: string, args: string[]): Promise<[string, string[]]> {
  if (process.platform === 'linux' && (await has('chrt'))) return ['chrt', ['--idle', '0', command, ...args]];
  return ['nice', ['-n', '19', command, ...args]];
}
