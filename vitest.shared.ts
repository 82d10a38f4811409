import { defineConfig } from 'vitest/config';

// Every suite writes a JSON report; .ci/run adds them up into one "N passed, N failed" line.
export const shared = defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.reports/vitest.json' },
    testTimeout: 20_000,
  },
});
