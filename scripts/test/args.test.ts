import { describe, expect, it } from 'vitest';
import { parseCommandLine, parseFlags } from '../lib/args.js';
import { HelpShown } from '../lib/log.js';

const USAGE = 'usage: e2e [--k8s MINOR] [--matrix]';

const spec = { k8s: 'string', matrix: 'boolean' } as const;

describe('parseFlags', () => {
  it('reads the flags it names', () => {
    expect(parseFlags('e2e', spec, USAGE, ['--k8s', '1.36'])).toEqual({ k8s: '1.36', matrix: undefined });
    expect(parseFlags('e2e', spec, USAGE, ['--k8s=1.35', '--matrix'])).toEqual({ k8s: '1.35', matrix: true });
    expect(parseFlags('e2e', spec, USAGE, [])).toEqual({ k8s: undefined, matrix: undefined });
  });

  it.each([
    [['--k8', '1.36'], 'e2e: unknown flag "--k8"; known: --k8s, --matrix, --help'],
    [['1.36'], 'e2e: unknown argument "1.36"; known: --k8s, --matrix, --help'],
    [['--k8s'], 'e2e: --k8s needs a value'],
    [['--k8s', '1.36', '--k8s', '1.35'], 'e2e: --k8s given more than once'],
  ])('refuses %j in one line', (args, message) => {
    expect(() => parseFlags('e2e', spec, USAGE, args)).toThrow(message);
  });
});

describe('parseCommandLine', () => {
  const e2e = { k8s: 'string', matrix: 'boolean', t: 'string' } as const;
  it('keeps the arguments that are not flags, and short flags by their one dash', () => {
    expect(parseCommandLine('e2e', e2e, USAGE, ['canary', 'tests/rolling.test.ts', '-t', 'abort'])).toEqual({
      flags: { k8s: undefined, matrix: undefined, t: 'abort' },
      positionals: ['canary', 'tests/rolling.test.ts'],
    });
  });
  it.each([
    [['-t'], 'e2e: -t needs a value'],
    [['--bogus'], 'e2e: unknown flag "--bogus"; known: --k8s, --matrix, -t, --help'],
  ])('refuses %j in one line', (args, message) => {
    expect(() => parseCommandLine('e2e', e2e, USAGE, args)).toThrow(message);
  });
});

describe('--help', () => {
  it.each([['--help'], ['-h'], ['--k8s', '1.36', '--help'], ['--bogus', '-h']])(
    'in %j shows the usage before any other check',
    (...args) => {
      expect(() => parseFlags('e2e', spec, USAGE, args)).toThrow(HelpShown);
      expect(() => parseFlags('e2e', spec, USAGE, args)).toThrow(USAGE);
    },
  );
});
