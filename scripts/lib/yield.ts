import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * While a suite runs, the test's own processes (vitest, the kubectl and CLIs it starts) come after the
 * cluster under test; the samplers, real-time, come before both. On two cores a Linux session's processes
 * weigh as much as all of Docker's containers together (the kernel's autogroups), so a test that starts a
 * CLI took CPU from the pods it was measuring: in the rolling update with a pod deleted, pods waited up
 * to 644 ms for a CPU and answered 250-760 ms late (a packet capture shows the request at the pod at
 * once and the answer leaving late), up to the 2 s timeout in CI. docs/e2e.md has the figures.
 *
 * Only where the samplers can be real-time (root): a niced sampler would be the one that waits.
 */
export const TEST_NICENESS = 10;

const AUTOGROUP = '/proc/self/autogroup';

/** "/autogroup-42 nice 0" → 0; undefined when the kernel has no autogroups. */
export function autogroupNice(text: string): number | undefined {
  const m = /\bnice\s+(-?\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Lowers this session's weight (its autogroup) to TEST_NICENESS and returns what puts it back, or
 * undefined where that is not possible or not wanted (not root, no autogroups). Put back at exit too,
 * so that a terminal's session does not keep it.
 */
export function yieldToCluster(isRoot = process.getuid?.() === 0): (() => void) | undefined {
  // startSamplerProcess makes itself real-time with chrt; without it, it would share our lowered weight.
  const chrt = (process.env.PATH ?? '').split(delimiter).some((dir) => existsSync(join(dir, 'chrt')));
  if (!isRoot || !chrt) return undefined;
  let before: number | undefined;
  try {
    before = autogroupNice(readFileSync(AUTOGROUP, 'utf8'));
    if (before === undefined || before >= TEST_NICENESS) return undefined;
    writeFileSync(AUTOGROUP, String(TEST_NICENESS));
  } catch {
    return undefined;
  }
  const restore = () => {
    try {
      writeFileSync(AUTOGROUP, String(before));
    } catch {
      // the session is gone with us
    }
  };
  process.once('exit', restore);
  return () => {
    process.removeListener('exit', restore);
    restore();
  };
}
