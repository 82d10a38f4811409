import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { reporters } from '../vitest.shared.js';
import TimingReporter from './support/timing-reporter.js';

// Each scenario file owns its namespaces and NodePorts (support/cluster.ts), so files run side by side;
// a file's namespace set-ups run side by side too. tests/ runs on the one-node cluster (`pnpm run e2e`),
// nodes/ on the three-node one (`pnpm run e2e:nodes`); `pnpm e2e` at the top makes both clusters and runs
// both suites at once. ROLLOUT_LAB_E2E_WORKERS: how many files at a time, by default one per two cores
// (measured in the README).
const workers = Number(
  process.env.ROLLOUT_LAB_E2E_WORKERS ?? Math.max(1, Math.floor(availableParallelism() / 2)),
);
/** Where reports go (ROLLOUT_LAB_REPORTS, relative to e2e/; \`pnpm e2e\` gives each suite its own). */
const reports = process.env.ROLLOUT_LAB_REPORTS ?? '.reports';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'nodes/**/*.test.ts'],
    globalSetup: ['support/global-setup.ts'],
    fileParallelism: true,
    maxWorkers: workers,
    sequence: { hooks: 'parallel' },
    reporters: [...reporters, new TimingReporter(`${reports}/files.json`)],
    outputFile: { json: `${reports}/e2e.json`, junit: `${reports}/junit.xml` },
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
