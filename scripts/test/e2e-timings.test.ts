import { describe, expect, it } from 'vitest';
import {
  type FileRecord,
  fileTimings,
  formatSlotUse,
  formatTimings,
  type SlotRecord,
  sampledMsByFile,
  slotMsByFile,
  slotUse,
} from '../lib/e2e-timings.js';

const records: FileRecord[] = [
  { file: 'tests/smoke.test.ts', startMs: 3_000, endMs: 13_500, tests: 1, status: 'passed' },
  { file: 'tests/canary.test.ts', startMs: 2_000, endMs: 62_000, tests: 3, status: 'failed' },
];

describe('e2e timings', () => {
  it('times each file from the run start, longest first', () => {
    expect(fileTimings('main', records, 1_000)).toEqual([
      { suite: 'main', file: 'tests/canary.test.ts', status: 'failed', tests: 3, at: 1_000, ms: 60_000 },
      { suite: 'main', file: 'tests/smoke.test.ts', status: 'passed', tests: 1, at: 2_000, ms: 10_500 },
    ]);
  });

  it('prints phases, files and the wall-clock total in aligned columns', () => {
    const table = formatTimings({
      startedAt: '2026-11-27T00:00:00.000Z',
      totalMs: 95_250,
      workers: 6,
      phases: [{ name: 'cluster rollout-lab', at: 0, ms: 1_200 }],
      files: fileTimings('main', records, 1_000),
    });
    expect(table.split('\n')).toEqual([
      '           start    took',
      'phase      0.0 s   1.2 s  cluster rollout-lab',
      'main file  1.0 s  60.0 s  tests/canary.test.ts (3 tests, failed)',
      'main file  2.0 s  10.5 s  tests/smoke.test.ts (1 tests, passed)',
      'total             95.3 s  wall clock, 6 files at a time per suite',
    ]);
  });
});

describe('time each file spent sampling', () => {
  const end = (s: number) => new Date(Date.UTC(2026, 11, 6, 0, 0, s)).toISOString();

  it('counts overlapping scenarios of a file once, and separate ones each', () => {
    const sampled = sampledMsByFile([
      // Two side by side: 10-40 s and 30-50 s → 40 s.
      { test: 'tests/canary.test.ts > canary > a', endedAt: end(40), durationS: 30 },
      { test: 'tests/canary.test.ts > canary > b', endedAt: end(50), durationS: 20 },
      // Then one alone, 60-70 s.
      { test: 'tests/canary.test.ts > canary > c', endedAt: end(70), durationS: 10 },
      // One inside another: 0-20 s holds 5-10 s.
      { test: 'tests/rolling.test.ts > rolling > a', endedAt: end(20), durationS: 20 },
      { test: 'tests/rolling.test.ts > rolling > b', endedAt: end(10), durationS: 5 },
    ]);
    expect(Object.fromEntries(sampled)).toEqual({
      'tests/canary.test.ts': 50_000,
      'tests/rolling.test.ts': 20_000,
    });
  });

  it('skips records that cannot be placed: no test, no end (older records), a bad date', () => {
    const sampled = sampledMsByFile([
      { endedAt: end(40), durationS: 30 },
      { test: 'tests/a.test.ts > x', durationS: 30 },
      { test: 'tests/b.test.ts > x', endedAt: 'yesterday', durationS: 30 },
      { test: 'tests/c.test.ts > x', endedAt: end(40), durationS: Number.NaN },
    ]);
    expect(sampled.size).toBe(0);
  });

  it('prints sampling and the rest beside each file that sampled, never more sampling than the file took', () => {
    const files = fileTimings(
      'main',
      records,
      1_000,
      new Map([
        ['tests/canary.test.ts', 45_000],
        ['tests/smoke.test.ts', 11_000],
      ]),
    );
    expect(files.map((f) => f.sampledMs)).toEqual([45_000, 10_500]);
    const table = formatTimings({ startedAt: '', totalMs: 95_250, workers: 1, phases: [], files });
    expect(table).toContain('tests/canary.test.ts (3 tests, failed; sampling 45.0 s, the rest 15.0 s)');
    expect(table).toContain('tests/smoke.test.ts (1 tests, passed; sampling 10.5 s, the rest 0.0 s)');
    expect(table).toContain('wall clock, 1 files at a time per suite');
    const phased = formatTimings({
      startedAt: '',
      totalMs: 1,
      workers: 1,
      quietWorkers: 4,
      phases: [],
      files,
    });
    expect(phased).toContain('wall clock, files without traffic 4 at a time, then the sampled 1 at a time');
    const slotted = formatTimings({
      startedAt: '',
      totalMs: 1,
      workers: 2,
      quietWorkers: 4,
      slots: 2,
      phases: [],
      files,
    });
    expect(slotted).toContain(
      'wall clock, files without traffic 4 at a time, then the sampled 2 at a time, 2 of their tests at once',
    );
  });
});

describe('what held the suite-wide slots', () => {
  const slotted: SlotRecord[] = [
    { label: 'tests/canary.test.ts > set-up rl-canary-a1b2c3', askedMs: 0, grantedMs: 0, releasedMs: 8_000 },
    {
      label: 'tests/canary.test.ts > canary > promotes',
      askedMs: 1_000,
      grantedMs: 8_000,
      releasedMs: 40_000,
    },
    { label: 'tests/smoke.test.ts > smoke > serves', askedMs: 0, grantedMs: 0, releasedMs: 12_000 },
    {
      label: 'tests/smoke.test.ts > teardown rl-smoke-d4e5f6',
      askedMs: 12_000,
      grantedMs: 12_000,
      releasedMs: 16_000,
    },
    // Stopped while it waited: its wait counts, it held nothing.
    { label: 'tests/canary.test.ts > canary > aborts', askedMs: 2_000, releasedMs: 5_000 },
  ];

  it('sums held and waited time per file', () => {
    expect(Object.fromEntries(slotMsByFile(slotted))).toEqual({
      'tests/canary.test.ts': { heldMs: 40_000, waitMs: 10_000 },
      'tests/smoke.test.ts': { heldMs: 16_000, waitMs: 0 },
    });
  });

  it('splits held time into tests, set-ups and teardowns against what the slots offered', () => {
    const use = slotUse(2, slotted);
    expect(use).toEqual({
      slots: 2,
      offeredMs: 80_000,
      testsMs: 44_000,
      setUpsMs: 8_000,
      teardownsMs: 4_000,
      waitedMs: 10_000,
    });
    expect(formatSlotUse('main', use as NonNullable<typeof use>, 30_000)).toBe(
      'main: 2 slots offered 80.0 s, held 56.0 s (70 %): tests 44.0 s (their samplers 30.0 s), ' +
        'set-ups 8.0 s, teardowns 4.0 s; waited 10.0 s in all',
    );
    expect(slotUse(2, [])).toBeUndefined();
  });

  it("prints each file's time in slots and its wait beside the file", () => {
    const files = fileTimings('main', records, 1_000, new Map(), slotMsByFile(slotted));
    const table = formatTimings({ startedAt: '', totalMs: 1, workers: 2, phases: [], files });
    expect(table).toContain('tests/canary.test.ts (3 tests, failed; in slots 40.0 s, waiting 10.0 s)');
    expect(table).toContain('tests/smoke.test.ts (1 tests, passed; in slots 16.0 s, waiting 0.0 s)');
  });
});
