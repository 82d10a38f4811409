import { afterEach, beforeEach, inject } from 'vitest';
import { takeSlot, useSuiteSlots } from './slots.js';

// The files that sample traffic: each test, and each namespace's set-up and teardown (useNamespace), runs
// in a suite-wide slot (support/slots.ts). The wait is the hook's, so a test's own timeout starts after it.
const socket = inject('slotSocket');
useSuiteSlots(socket);
const held = new WeakMap<object, () => void>();
/**
 * A bound on the wait, not a figure measured: the queue moves as tests end, and each test's own timeout
 * is at most 300 s, so only a hung hook could keep a slot this long.
 */
const SLOT_WAIT_MS = 20 * 60_000;

beforeEach(async ({ task, signal }) => {
  held.set(task, await takeSlot(socket, `${task.file.name} > ${task.name}`, signal));
}, SLOT_WAIT_MS);

afterEach(({ task }) => {
  held.get(task)?.();
});
