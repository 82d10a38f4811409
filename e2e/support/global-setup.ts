import type { TestProject } from 'vitest/node';
import { E2E_LABEL, kubectl } from './env.js';
import { serveSlots, slotCount } from './slots.js';

/**
 * Namespaces are deleted without waiting (a pod's 20 s grace period would otherwise be paid per file):
 * leftovers of earlier runs are swept before this one starts, and this run's own once at the end.
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
