import { describe, expect, it } from 'vitest';
import { parseCommandLine, parseFlags } from '../lib/args.js';

const spec = { k8s: 'string', matrix: 'boolean' } as const;

describe('parseFlags', () => {
  it('reads the flags it names', () => {
    expect(parseFlags('e2e', spec, ['--k8s', '1.36'])).toEqual({ k8s: '1.36', matrix: undefined });
    expect(parseFlags('e2e', spec, ['--k8s=1.35', '--matrix'])).toEqual({ k8s: '1.35', matrix: true });
    expect(parseFlags('e2e', spec, [])).toEqual({ k8s: undefined, matrix: undefined });
  });

  it.each([
    [['--k8', '1.36'], 'e2e: unknown flag "--k8"; known: --k8s, --matrix'],
    [['1.36'], 'e2e: unknown argument "1.36"; known: --k8s, --matrix'],
    [['--k8s'], 'e2e: --k8s needs a value'],
    [['--k8s', '1.36', '--k8s', '1.35'], 'e2e: --k8s given more than once'],
  ])('refuses %j in one line', (args, message) => {
    expect(() => parseFlags('e2e', spec, args)).toThrow(message);
  });
});

describe('parseCommandLine', () => {
  const e2e = { k8s: 'string', matrix: 'boolean', t: 'string' } as const;
  it('keeps the arguments that are not flags, and short flags by their one dash', () => {
    expect(parseCommandLine('e2e', e2e, ['canary', 'tests/rolling.test.ts', '-t', 'abort'])).toEqual({
      flags: { k8s: undefined, matrix: undefined, t: 'abort' },
      positionals: ['canary', 'tests/rolling.test.ts'],
    });
  });
  it.each([
    [['-t'], 'e2e: -t needs a value'],
    [['--bogus'], 'e2e: unknown flag "--bogus"; known: --k8s, --matrix, -t'],
  ])('refuses %j in one line', (args, message) => {
    expect(() => parseCommandLine('e2e', e2e, args)).toThrow(message);
  });
});
