import { AsyncLocalStorage } from 'node:async_hooks';
import { it } from 'vitest';

const current = new AsyncLocalStorage<string>();

/**
 * The running scenario's test, as the reports name it ("tests/file.test.ts > describe > test"). Vitest's
 * global expect state holds whichever test started last, so concurrent tests ask here first.
 */
export const runningTest = (): string | undefined => current.getStore();

/**
 * A test that runs beside the file's other scenarios. In the files that sample traffic it waits for a
 * suite-wide slot first, as every test there does (support/sampled-setup.ts); the quiet files take none.
 * Each must own its namespace: nothing is shared.
 */
export function scenario(name: string, body: () => Promise<void>, timeoutMs?: number): void {
  it.concurrent(name, ({ task }) => current.run(task.fullName, body), timeoutMs);
}
