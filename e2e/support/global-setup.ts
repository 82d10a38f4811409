import type { TestProject } from 'vitest/node';
import { E2E_LABEL, kubectl } from './env.js';
import { serveSlots, slotCount } from './slots.js';

/**
 * Leftover namespaces of earlier runs are swept before this one starts, without waiting, and this run's
 * own once at the end. The slots the sampled files share (support/slots.ts) are served from here.
 */
export default async function setup(project: TestProject) {
  const runId = Date.now().toString(36);
  project.provide('runId', runId);
  const slots = await serveSlots(slotCount);
  project.provide('slotSocket', slots.socket);
  await kubectl(['delete', 'namespace', '-l', E2E_LABEL, '--wait=false']).nothrow();
  return async () => {
    await slots.close();
    await kubectl(['delete', 'namespace', '-l', `${E2E_LABEL}=${runId}`, '--wait=false']).nothrow();
  };
}
