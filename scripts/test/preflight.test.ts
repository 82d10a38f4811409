import type { RequestRecord } from '@rollout-lab/traffic';
import { describe, expect, it } from 'vitest';
import { attemptOf, describeAttempt } from '../lib/preflight.js';

const ok = (seq: number, ms: number): RequestRecord => ({
  seq,
  scheduledAt: seq * 20,
  startedAt: seq * 20,
  endedAt: seq * 20 + ms,
  status: 200,
  version: 'v1',
});
const timedOut = (seq: number): RequestRecord => ({
  seq,
  scheduledAt: seq * 20,
  startedAt: seq * 20,
  endedAt: seq * 20 + 2000,
  error: 'timeout',
  detail: 'no answer in 2000 ms',
});

describe('the preflight sample of a steady Service', () => {
  it('counts failures by class and takes p99 over the answers only', () => {
    const records = [
      ...Array.from({ length: 99 }, (_, i) => ok(i, 5)),
      ok(99, 400),
      timedOut(100),
      timedOut(101),
    ];
    const attempt = attemptOf(records);
    expect(attempt).toEqual({ requests: 102, failed: 2, errors: { timeout: 2 }, p99Ms: 400 });
    expect(describeAttempt(attempt)).toBe('102 requests, 2 failed (timeout 2), p99 400 ms');
  });

  it('says so plainly when nothing was lost, and survives an empty sample', () => {
    expect(describeAttempt(attemptOf([ok(0, 3), ok(1, 7)]))).toBe('2 requests, 0 failed, p99 7 ms');
    expect(attemptOf([])).toEqual({ requests: 0, failed: 0, errors: {}, p99Ms: 0 });
  });
});
