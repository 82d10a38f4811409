import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { $, type ProcessOutput } from 'zx';
import { cachePath } from './config.js';

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
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<string> {
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
  p.stdout.pipe(out, { end: false });
  p.stderr.pipe(out, { end: false });
  const result: ProcessOutput = await p;
  out.end();
  if (result.exitCode !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new CommandError(`${command} ${args.join(' ')} exited ${result.exitCode} (log: ${log}):\n${tail}`);
  }
  return result.stdout;
}
