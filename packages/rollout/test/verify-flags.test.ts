import { describe, expect, it } from 'vitest';
import { durationFlag, httpUrl, numberFlag, UsageError } from '../src/cli/context.js';
import { parseVerify } from '../src/cli/verify.js';
import { InvalidInputError } from '../src/errors.js';
import { deploymentName } from '../src/resources/names.js';

const ctx = (...args: string[]) => ({ args, namespace: 'demo' });

describe('rollout verify: flags decided before the cluster is asked anything', () => {
  it('takes one change, defaults to 50/s, 1,000 requests and a 5 s settle', () => {
    expect(
      parseVerify(ctx('deploy/web'), { image: ['web=nginx:1.27'], url: 'http://127.0.0.1:30080' }),
    ).toEqual({
      name: 'web',
      change: { kind: 'image', images: { web: 'nginx:1.27' } },
      url: 'http://127.0.0.1:30080/',
      rate: 50,
      minRequests: 1000,
      settleMs: 5000,
      keepAlive: false,
      report: undefined,
      json: false,
      undoOnFailure: false,
    });
    expect(parseVerify(ctx('web'), { undo: true, 'to-revision': '3', url: 'http://h/' }).change).toEqual({
      kind: 'undo',
      toRevision: 3,
    });
    expect(parseVerify(ctx('web'), { restart: true, url: 'http://h/' }).change).toEqual({ kind: 'restart' });
  });

  it.each([
    [[], {}, 'verify needs <deployment>'],
    [['a', 'b'], { restart: true }, 'verify takes one <deployment>, got 2: a b'],
    [['web'], { url: 'http://h/' }, 'verify needs exactly one change'],
    [['web'], { restart: true, undo: true, url: 'http://h/' }, '(got --undo and --restart)'],
    [['web'], { restart: true, 'to-revision': '2', url: 'http://h/' }, '--to-revision goes with --undo'],
    [['web'], { restart: true, cause: 'x', url: 'http://h/' }, '--cause goes with --image'],
    [['web'], { restart: true }, '--url is required'],
    [['web'], { restart: true, url: 'file:///etc/passwd' }, '--url must be an http:// URL'],
    [['web'], { restart: true, url: 'http://h/', rate: '0' }, '--rate needs a whole number from 1 to 500'],
    [['web'], { restart: true, url: 'http://h/', rate: '1e2' }, 'got "1e2"'],
    [['web'], { restart: true, url: 'http://h/', settle: '601' }, '--settle needs'],
    [['web'], { restart: true, url: 'http://h/', output: 'yaml' }, '-o supports json'],
    [['Web'], { restart: true, url: 'http://h/' }, '"Web" is not a valid Deployment name'],
    [['svc/web'], { restart: true, url: 'http://h/' }, '"svc/web" is not a Deployment'],
    [
      ['web'],
      { undo: true, 'to-revision': '99999999999', url: 'http://h/' },
      '--to-revision needs a whole number from 1 to 2147483647',
    ],
  ])('refuses %j %j', (args, flags, message) => {
    expect(() => parseVerify(ctx(...args), flags)).toThrow(InvalidInputError);
    expect(() => parseVerify(ctx(...args), flags)).toThrow(message);
  });

  it('parses numbers strictly and names as Kubernetes does', () => {
    expect(numberFlag('n', '10')).toBe(10);
    for (const raw of ['', ' 1', '0x10', '1.5', '-1', '1e3', 'Infinity'])
      expect(() => numberFlag('n', raw)).toThrow(UsageError);
    expect(numberFlag('w', '12.5', { integer: false })).toBe(12.5);
    expect(deploymentName('deployment.apps/a.b-c')).toBe('a.b-c');
    for (const raw of ['', 'a/b/c', 'deploy/', '-a', 'a'.repeat(254), 'constructor/x'])
      expect(() => deploymentName(raw)).toThrow(InvalidInputError);
    expect(httpUrl('url', 'http://[::1]:8080')).toBe('http://[::1]:8080/');
  });
});

describe('durations as kubectl writes them', () => {
  it.each([
    ['300', 300_000],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['0', 2 ** 31 - 1],
  ])('%s → %i ms', (raw, ms) => {
    expect(durationFlag('timeout', raw)).toBe(ms);
  });
  it('lets 0 mean "at once" where that is what it means, and refuses what a timer cannot hold', () => {
    expect(durationFlag('scale-down-after', '0', { zero: 0 })).toBe(0);
    for (const raw of ['', '5 m', '-1s', '1.5m', '1d', '597h', 'm5'])
      expect(() => durationFlag('timeout', raw)).toThrow(UsageError);
  });
});
