import { defineConfig } from 'vitest/config';

// Scenarios share one cluster and its NodePorts, so files run one at a time.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/e2e.json' },
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
