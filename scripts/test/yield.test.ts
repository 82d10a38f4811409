import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { autogroupNice, TEST_NICENESS, yieldToCluster } from '../lib/yield.js';

const autogroups = (() => {
  try {
    return autogroupNice(readFileSync('/proc/self/autogroup', 'utf8')) !== undefined;
  } catch {
    return false;
  }
})();

describe('yieldToCluster', () => {
  it('reads the nice value of /proc/self/autogroup', () => {
    expect(autogroupNice('/autogroup-42 nice 0\n')).toBe(0);
    expect(autogroupNice('/autogroup-7 nice -5\n')).toBe(-5);
    expect(autogroupNice('')).toBeUndefined();
  });

  it('does nothing where it is not root', () => {
    expect(yieldToCluster(false)).toBeUndefined();
  });

  it.runIf(autogroups && process.getuid?.() === 0)('lowers the session and puts it back as it was', () => {
    const read = () => autogroupNice(readFileSync('/proc/self/autogroup', 'utf8'));
    const before = read();
    const restore = yieldToCluster();
    if (before !== undefined && before >= TEST_NICENESS) {
      expect(restore).toBeUndefined();
      return;
    }
    expect(read()).toBe(TEST_NICENESS);
    restore?.();
    expect(read()).toBe(before);
  });
});
