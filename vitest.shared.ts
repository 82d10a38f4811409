import { defineConfig } from 'vitest/config';

/**
 * Vitest's own reporters for every suite: the console, JSON (.ci/run adds them up into one "N passed,
 * N failed" line), JUnit for CI systems, and in GitHub Actions its annotations (which vitest adds by
 * itself only when no reporter is configured).
 */
export const reporters = [
  'default',
  'json',
  'junit',
  ...(process.env.GITHUB_ACTIONS === 'true' ? ['github-actions'] : []),
];

export const shared = defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters,
    outputFile: { json: '.reports/vitest.json', junit: '.reports/junit.xml' },
    testTimeout: 20_000,
  },
});
