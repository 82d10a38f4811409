import { spinner } from 'zx';

const tty = Boolean(process.stdout.isTTY) && !process.env.CI;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function info(message: string): void {
  console.log(`  ${message}`);
}

export function warn(message: string): void {
  console.log(`  ! ${message}`);
}

/** When the process started its work: phases are timed from here too, since some overlap. */
export const processStart = Date.now();

/** Times recorded by phase(), printed by printTimings(); `at` is the start, from processStart. */
export const timings: Array<{ name: string; ms: number; at: number }> = [];

/** Phases under way: a spinner is drawn only for a phase that runs alone. */
let running = 0;

/**
 * Runs one long step and says how long it took: a spinner under a TTY, plain start/end lines in CI
 * (where a spinner would only fill the log) and for steps that run side by side.
 */
export async function phase<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const spin = tty && running === 0;
  if (!spin) console.log(`▶ ${name}`);
  running++;
  try {
    const result = spin ? await spinner(name, run) : await run();
    const ms = Date.now() - started;
    timings.push({ name, ms, at: started - processStart });
    console.log(`✓ ${name} (${seconds(ms)})`);
    return result;
  } catch (error) {
    console.log(`✗ ${name} failed after ${seconds(Date.now() - started)}`);
    throw error;
  } finally {
    running--;
  }
}

/** Each phase's start and length (phases may overlap), and the wall-clock time since the start. */
export function printTimings(title: string): void {
  console.log(`\n${title}`);
  console.log(`  ${'start'.padStart(8)}  ${'took'.padStart(8)}  phase`);
  for (const t of timings)
    console.log(`  ${seconds(t.at).padStart(8)}  ${seconds(t.ms).padStart(8)}  ${t.name}`);
  console.log(`  ${''.padStart(8)}  ${seconds(Date.now() - processStart).padStart(8)}  total (wall clock)`);
}

/** A failure the user can act on: printed as one line, no stack. */
export class UserError extends Error {
  override name = 'UserError';
}

/** `--help` was asked for: the entry point prints its usage and stops, exit 0. */
export class HelpShown extends Error {
  override name = 'HelpShown';
}

/** Entry-point wrapper: one-line reason and exit 1 on failure; the usage and exit 0 on --help. */
export async function main(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof HelpShown) {
      console.log(error.message);
      return;
    }
    if (error instanceof UserError) console.error(`error: ${error.message}`);
    else console.error(error);
    process.exitCode = 1;
  }
}
