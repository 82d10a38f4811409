import { AsyncLocalStorage } from 'node:async_hooks';
import pLimit from 'p-limit';
import { it } from 'vitest';

/**
 * How many scenarios of one file run at once (ROLLOUT_LAB_E2E_SCENARIOS, default 2). Two sampled
 * scenarios side by side have held on 2 cores in every run (canary, rolling: 0 failed, p99 under
 * 100 ms); three lost requests to the 2 s timeout (bad-releases, p99 1.1-1.9 s). docs/e2e.md has the
 * figures. A file's namespace set-ups still run before its tests, all at once.
 */
export const scenariosAtOnce = Number(process.env.ROLLOUT_LAB_E2E_SCENARIOS || 2);
// `pnpm e2e` refuses a bad value before any work; this catches a suite started some other way.
if (!Number.isInteger(scenariosAtOnce) || scenariosAtOnce < 1)
  throw new Error(
    `ROLLOUT_LAB_E2E_SCENARIOS must be a whole number from 1, got ${process.env.ROLLOUT_LAB_E2E_SCENARIOS}`,
  );

const slots = pLimit(scenariosAtOnce);
const current = new AsyncLocalStorage<string>();

/**
 * The running scenario's test, as the reports name it ("tests/file.test.ts > describe > test"). Vitest's
 * global expect state holds whichever test started last, so concurrent tests ask here first.
 */
export const runningTest = (): string | undefined => current.getStore();

/**
 * A test that runs beside the file's other scenarios, at most `scenariosAtOnce` of them at a time
 * (its timeout counts the wait for a slot too). Each must own its namespace: nothing is shared.
 */
export function scenario(name: string, body: () => Promise<void>, timeoutMs?: number): void {
  it.concurrent(name, ({ task }) => slots(() => current.run(task.fullName, body)), timeoutMs);
}

/**
 * A concurrent test that takes no slot: verify.test.ts's four, side by side as they were before slots
 * existed (two of them sample through `rollout verify`'s own sampler). Its name still reaches the reports.
 */
export function sideTest(name: string, body: () => Promise<void>, timeoutMs?: number): void {
  it.concurrent(name, ({ task }) => current.run(task.fullName, body), timeoutMs);
}
