import { describe, expect, it } from 'vitest';
import { selectFiles } from '../lib/e2e-select.js';

const files = [
  'tests/canary.test.ts',
  'tests/canary-plan.test.ts',
  'tests/rolling.test.ts',
  'nodes/node-restart.test.ts',
];

describe('selectFiles', () => {
  it('picks every file without a filter', () => {
    expect(selectFiles([], files)).toEqual({
      main: files.slice(0, 3),
      nodes: ['nodes/node-restart.test.ts'],
    });
  });
  it('picks the files whose path holds a filter, per suite', () => {
    expect(selectFiles(['canary'], files)).toEqual({ main: files.slice(0, 2), nodes: [] });
    expect(selectFiles(['rolling', 'node-restart'], files)).toEqual({
      main: ['tests/rolling.test.ts'],
      nodes: ['nodes/node-restart.test.ts'],
    });
    expect(selectFiles(['tests/rolling.test.ts'], files).main).toEqual(['tests/rolling.test.ts']);
  });
  it('refuses a filter that matches nothing, naming the files', () => {
    expect(() => selectFiles(['rollin', 'nope'], files)).toThrow(
      'pnpm e2e: no e2e file matches "nope"; files: canary, canary-plan, rolling, node-restart',
    );
  });
});
