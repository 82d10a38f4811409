import { describe, expect, it } from 'vitest';
import { type FileRecord, fileTimings, formatTimings } from '../lib/e2e-timings.js';

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
