import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inListedOrder, longestTestFirst } from '../../e2e/support/sequencer.js';
import { quietFiles } from '../../e2e/vitest.config.js';

describe('e2e file order', () => {
  it('runs the files in the listed order, unlisted ones first in their own order', () => {
    expect(inListedOrder(['c', 'x', 'a', 'y', 'b'], ['a', 'b', 'c'])).toEqual(['x', 'y', 'a', 'b', 'c']);
    expect(inListedOrder([], ['a'])).toEqual([]);
  });

  it('lists every sampled file of e2e/tests, and no other', () => {
    const tests = readdirSync(new URL('../../e2e/tests', import.meta.url))
      .filter((name) => name.endsWith('.test.ts'))
      .map((name) => `tests/${name}`);
    const sampled = tests.filter((file) => !quietFiles.includes(file));
    expect([...longestTestFirst].sort()).toEqual(sampled.sort());
  });
});
