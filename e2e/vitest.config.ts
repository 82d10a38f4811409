import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { reporters } from '../vitest.shared.js';
import LongestTestFirst from './support/sequencer.js';
import TimingReporter from './support/timing-reporter.js';

// Each scenario file owns its namespaces and NodePorts (support/cluster.ts), so files run side by side.
// tests/ runs on the one-node cluster (`pnpm run e2e`), nodes/ on the three-node one (`pnpm run e2e:nodes`);
// `pnpm e2e` at the top makes both clusters and runs one suite after the other. ROLLOUT_LAB_E2E_WORKERS:
// how many files that sample traffic at a time, by default two or one per core; the load they put on the
// cluster is bounded apart from that, suite-wide (support/slots.ts, ROLLOUT_LAB_E2E_SCENARIOS).
const workers = Number(process.env.ROLLOUT_LAB_E2E_WORKERS ?? Math.max(2, availableParallelism()));
/**
 * Files that start no traffic of their own: refusals, RBAC, CLI conventions, interrupted commands. They
 * assert what the API server holds, not what a client saw, so they run side by side first (a busy machine
 * only slows them), and the files that sample a Service run after them, ROLLOUT_LAB_E2E_WORKERS at a
 * time. A file missing from this list runs with the sampled ones: slower, never less strict.
 */
export const quietFiles = [
  'tests/bad-input.test.ts',
  'tests/cli-conventions.test.ts',
  'tests/interrupts.test.ts',
  'tests/security.test.ts',
];
const quietWorkers = Number(process.env.ROLLOUT_LAB_E2E_QUIET_WORKERS ?? 4);
/** Where reports go (ROLLOUT_LAB_REPORTS, relative to e2e/; \`pnpm e2e\` gives each suite its own). */
const reports = process.env.ROLLOUT_LAB_REPORTS ?? '.reports';

export default defineConfig({
  test: {
    globalSetup: ['support/global-setup.ts'],
    fileParallelism: true,
    // The sampled files in support/sequencer.ts's order, the longest test first.
    sequence: { hooks: 'parallel', sequencer: LongestTestFirst },
    projects: [
      {
        extends: true,
        test: {
          name: 'quiet',
          include: quietFiles,
          maxWorkers: quietWorkers,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'sampled',
          include: ['tests/**/*.test.ts', 'nodes/**/*.test.ts'],
          exclude: quietFiles,
          maxWorkers: workers,
          setupFiles: ['support/sampled-setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
    reporters: [...reporters, new TimingReporter(`${reports}/files.json`)],
    outputFile: { json: `${reports}/e2e.json`, junit: `${reports}/junit.xml` },
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
