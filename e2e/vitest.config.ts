import { defineConfig } from 'vitest/config';

// Scenarios share one cluster and its NodePorts, so files run one at a time. tests/ runs on the one-node
// cluster (`pnpm run e2e`), nodes/ on the three-node one (`pnpm run e2e:nodes`); `pnpm e2e` at the top
// makes both clusters.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'nodes/**/*.test.ts'],
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/e2e.json' },
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
