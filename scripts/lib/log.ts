import { spinner } from 'zx';

const tty = Boolean(process.stdout.isTTY) && !process.env.CI;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function info(message: string): void {
  console.log(`  ${message}`);
}

export function warn(message: string): void {
  console.log(`  ! ${message}`);
}

/** Times recorded by phase(), printed by printTimings(). */
export const timings: Array<{ name: string; ms: number }> = [];

/**
 * Runs one long step and says how long it took: a spinner under a TTY, plain start/end lines in CI
 * (where a spinner would only fill the log).
 */
export async function phase<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  if (!tty) console.log(`▶ ${name}`);
  try {
    const result = tty ? await spinner(name, run) : await run();
    const ms = Date.now() - started;
    timings.push({ name, ms });
    console.log(`✓ ${name} (${seconds(ms)})`);
    return result;
  } catch (error) {
    console.log(`✗ ${name} failed after ${seconds(Date.now() - started)}`);
    throw error;
  }
}

export function printTimings(title: string): void {
  const total = timings.reduce((sum, t) => sum + t.ms, 0);
  console.log(`\n${title}`);
  for (const t of timings) console.log(`  ${seconds(t.ms).padStart(8)}  ${t.name}`);
  console.log(`  ${seconds(total).padStart(8)}  total`);
}

/** A failure the user can act on: printed as one line, no stack. */
export class UserError extends Error {
  override name = 'UserError';
}

/** Entry-point wrapper: one-line reason and exit 1 on failure. */
export async function main(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof UserError) console.error(`error: ${error.message}`);
    else console.error(error);
    process.exitCode = 1;
  }
}
