import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { E2E_LABEL, kubectl, reportsDir } from './env.js';
import { serveSlots, slotCount } from './slots.js';

/**
 * Leftover namespaces of earlier runs are swept before this one starts, without waiting, and this run's
 * own once at the end. The slots the sampled files share (support/slots.ts) are served from here, and
 * who held them when is kept in .reports/slots.json (the timing table's slot columns come from it).
 */
export default async function setup(project: TestProject) {
  const runId = Date.now().toString(36);
  project.provide('runId', runId);
  const slots = await serveSlots(slotCount);
  project.provide('slotSocket', slots.socket);
  await kubectl(['delete', 'namespace', '-l', E2E_LABEL, '--wait=false']).nothrow();
  return async () => {
    const records = await slots.close();
    // Each project runs this setup; only the one whose files took slots has something to keep.
    if (records.length > 0) {
      const dir = join(import.meta.dirname, '..', reportsDir());
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'slots.json'), `${JSON.stringify({ slots: slotCount, records }, null, 1)}\n`);
    }
    await kubectl(['delete', 'namespace', '-l', `${E2E_LABEL}=${runId}`, '--wait=false']).nothrow();
  };
}
