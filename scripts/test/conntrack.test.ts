import { describe, expect, it } from 'vitest';
import { conntrackDelta, formatConntrack, parseConntrackStat } from '../lib/conntrack.js';

// Kernel 6.18's layout (this machine, 2026-12-07), two CPUs; the values are made up.
const STAT = `entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart
0000002a  00000000 00000000 00000000 0000000f 00000000 00000000 00000000 00000000 00000001 00000000 00000000 00000000  00000000 00000000 00000000 00000003
0000002a  00000000 00000000 00000000 00000001 00000000 00000000 00000000 00000000 00000000 00000002 00000000 00000000  00000000 00000000 00000000 00000000
`;

// An older kernel's layout: other columns, in another order.
const OLD = `entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart
00000010  00000000 00000000 00000000 00000005 00000000 00000000 00000000 00000000 00000000 00000000 00000004 00000000  00000000 00000000 00000000 00000000
`;

describe('conntrack counters', () => {
  it('sums the per-CPU hex values of the columns it wants, found by name', () => {
    expect(parseConntrackStat(STAT)).toEqual({ invalid: 16, insert_failed: 1, drop: 2, early_drop: 0 });
    expect(parseConntrackStat(OLD)).toEqual({ invalid: 5, insert_failed: 0, drop: 0, early_drop: 4 });
  });

  it('is undefined where there is no such table (an empty read, an error text)', () => {
    expect(parseConntrackStat('')).toBeUndefined();
    expect(parseConntrackStat('cat: /proc/net/stat/nf_conntrack: No such file or directory')).toBeUndefined();
  });

  it('a row cut short is skipped, not read into the wrong columns', () => {
    const cut = `${STAT.trim()}\n00000001 00000002\n`;
    expect(parseConntrackStat(cut)?.invalid).toBe(16);
  });

  it('takes the growth per place; a node whose counters fell restarted and counts whole', () => {
    const c = (invalid: number) => ({ invalid, insert_failed: 0, drop: 0, early_drop: 0 });
    const delta = conntrackDelta(
      {
        host: c(20),
        nodes: new Map([
          ['w', c(3)],
          ['new', c(1)],
        ]),
      },
      { host: c(17), nodes: new Map([['w', c(9)]]) },
    );
    expect(delta).toEqual({ host: c(3), w: c(3), new: c(1) });
  });

  it('formats one line, and says when nothing could be read', () => {
    expect(
      formatConntrack({
        host: { invalid: 3, insert_failed: 0, drop: 0, early_drop: 0 },
        'rollout-lab-worker': { invalid: 0, insert_failed: 1, drop: 0, early_drop: 0 },
      }),
    ).toBe(
      'conntrack packets it could not track (invalid, insert failed, drop, early drop): host 3/0/0/0; rollout-lab-worker 0/1/0/0',
    );
    expect(formatConntrack({})).toBe('conntrack: its counters could not be read');
  });
});
