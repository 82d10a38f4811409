import { describe, expect, it } from 'vitest';
import { durationSeconds, formatNodeStalls, nodeJournalScript, parseNodeStalls } from '../lib/node-stalls.js';

// As the worker's journal had it in CI on 2026-12-06 (journalctl -o cat), with a second overrun added.
const overrun = (actual: string) =>
  `E1206 20:44:15.040123     217 kubelet.go:2617] "Housekeeping took longer than expected" err="housekeeping took too long" expected="1s" actual="${actual}"`;

describe('node stalls from the journal', () => {
  it('counts the overruns, takes the longest, and reads containerd’s count', () => {
    const out = `${overrun('1.986s')}\n${overrun('1.2s')}\n--- kubelet lines ---\n428\n--- containerd ---\n3\n`;
    expect(parseNodeStalls(out)).toEqual({
      housekeepingOverruns: 2,
      longestHousekeepingS: 1.986,
      containerdDeadlines: 3,
    });
  });

  it('a quiet node: no overrun, the kubelet’s line count and grep’s 0', () => {
    expect(parseNodeStalls('--- kubelet lines ---\n691\n--- containerd ---\n0\n')).toEqual({
      housekeepingOverruns: 0,
      longestHousekeepingS: 0,
      containerdDeadlines: 0,
    });
  });

  it('an overrun whose duration cannot be read still counts', () => {
    const s = parseNodeStalls(`${overrun('soon')}\n--- kubelet lines ---\n12\n--- containerd ---\n0`);
    expect(s?.housekeepingOverruns).toBe(1);
    expect(s?.longestHousekeepingS).toBe(0);
  });

  it('a journal without a kubelet line, or output cut short, is not read as a node without stalls', () => {
    expect(parseNodeStalls('--- kubelet lines ---\n0\n--- containerd ---\n0\n')).toBeUndefined();
    expect(parseNodeStalls('--- containerd ---\n0\n')).toBeUndefined();
    expect(parseNodeStalls('')).toBeUndefined();
  });

  it('reads Go durations as the kubelet rounds them', () => {
    expect(durationSeconds('1.986s')).toBe(1.986);
    expect(durationSeconds('850ms')).toBeCloseTo(0.85);
    expect(durationSeconds('1m2.5s')).toBe(62.5);
    expect(durationSeconds('2h')).toBe(7200);
    expect(durationSeconds('1.5')).toBeNaN();
    expect(durationSeconds('1s and more')).toBeNaN();
  });

  it('asks the journal from the suite’s start on, in epoch seconds', () => {
    const script = nodeJournalScript(1_765_053_852);
    expect(script).toContain('--since @1765053852 -u kubelet | wc -l');
    expect(script).toContain('--since @1765053852 -u containerd');
  });

  it('formats one line with every node', () => {
    expect(
      formatNodeStalls({
        'rollout-lab-control-plane': {
          housekeepingOverruns: 0,
          longestHousekeepingS: 0,
          containerdDeadlines: 0,
        },
        'rollout-lab-worker': {
          housekeepingOverruns: 1,
          longestHousekeepingS: 1.986,
          containerdDeadlines: 1,
        },
      }),
    ).toBe(
      'node stalls (kubelet housekeeping over its 1 s, containerd deadlines): rollout-lab-control-plane 0 overruns, 0 deadlines; rollout-lab-worker 1 overrun (longest 1.99 s), 1 deadline',
    );
    expect(formatNodeStalls({})).toMatch(/could not be read/);
  });
});
