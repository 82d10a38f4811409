import { describe, expect, it } from 'vitest';
import {
  anyServiceClassifier,
  assertPhases,
  firstPureRun,
  headerClassifier,
  phases,
  type RequestRecord,
  renderChart,
  seedClassifier,
  summarize,
  timeline,
} from '../src/index.js';

/** Records 10 ms apart with the given versions ('x' = a reset). */
function records(versions: string): RequestRecord[] {
  return [...versions].map((v, seq) => ({
    seq,
    scheduledAt: seq * 10,
    startedAt: seq * 10 + 1,
    endedAt: seq * 10 + 3,
    ...(v === 'x' ? { error: 'reset' as const } : { status: 200, version: `v${v}`, pod: `p${v}` }),
  }));
}

describe('phases', () => {
  it('finds v1 → mixed → v2 and ignores short lucky runs inside the mix', () => {
    const run = records(`${'1'.repeat(40)}1221122212222122${'2'.repeat(40)}`);
    expect(phases(run, 30)).toEqual(['v1', 'mixed', 'v2']);
    expect(phases(run, 3)).toEqual(['v1', 'mixed', 'v2', 'mixed', 'v2', 'mixed', 'v2']);
  });

  it('fails when the old version answers after the new one took over', () => {
    const run = records(`${'1'.repeat(40)}21${'2'.repeat(40)}1${'2'.repeat(40)}`);
    expect(phases(run, 30)).toEqual(['v1', 'mixed', 'v2', 'mixed', 'v2']);
    expect(() => assertPhases(run, ['v1', 'mixed', 'v2'], 30)).toThrow(
      /1 answers from v1 after v2 took over/,
    );
    expect(firstPureRun(run, 'v2', 30)).toBe(421);
  });

  it('names a straggler after the final phase even if the phase list matches', () => {
    // a single v1 inside a long v2 stretch is too short to be a phase but is still a straggler
    const run = records(`${'1'.repeat(40)}21${'2'.repeat(40)}`);
    run.push({ seq: 999, scheduledAt: 5000, startedAt: 5000, endedAt: 5001, version: 'v1', pod: 'old-pod' });
    expect(() => assertPhases(run, ['v1', 'mixed', 'v2'], 30)).toThrow(
      /1 answers from v1 after v2 took over at 0.42 s .*pod old-pod/,
    );
  });
});

describe('summarize and timeline', () => {
  it('counts versions, errors, pods and the timing error', () => {
    const summary = summarize(records('1122x'));
    expect(summary).toMatchObject({
      requests: 5,
      ok: 4,
      failed: 1,
      errors: { reset: 1 },
      versions: { v1: 2, v2: 2 },
    });
    expect(summary.pods).toEqual({ p1: 2, p2: 2 });
    expect(summary.lagMs.max).toBe(1);
    expect(summary.achievedRate).toBe(100);
    expect(summary.slowConnects).toBe(0);
  });

  it('counts the requests whose handshake took a second or more (a SYN retransmitted)', () => {
    const rs = records('1111').map((r, i) => ({ ...r, connectMs: [0.4, 999, 1000, 3012][i] }));
    expect(summarize(rs).slowConnects).toBe(2);
  });

  it('buckets by start time', () => {
    const buckets = timeline(records('1111122222'), 50);
    expect(buckets.map((b) => b.versions)).toEqual([{ v1: 5 }, { v2: 5 }]);
  });
});

describe('renderChart', () => {
  it('draws one row per version plus failures, ASCII on request', () => {
    const chart = renderChart(records(`${'1'.repeat(100)}${'x'.repeat(5)}${'2'.repeat(100)}`), {
      width: 21,
      ascii: true,
    });
    const lines = chart.split('\n');
    expect(lines[0]).toBe('version mix: 205 requests over 2.0 s, 1 column = 0.1 s, failed 5 (reset 5)');
    expect(lines[1]).toBe(`v1   |${'@'.repeat(10)}${' '.repeat(11)}| 100`);
    // the middle column is half failures, half v2
    expect(lines[2]).toBe(`v2   |${' '.repeat(10)}=${'@'.repeat(10)}| 100`);
    expect(lines[3]).toBe(`fail |${' '.repeat(10)}5${' '.repeat(10)}| 5`);
    expect(lines[4]).toBe(`${' '.repeat(6)}0s        1s        2s`);
  });
});

describe('classifiers', () => {
  const ok = { 'x-app-version': 'v2', 'x-pod-name': 'p' };
  it('takes the version from the seed body and checks the header agrees', () => {
    expect(seedClassifier(200, ok, 'This is Version2 service')).toEqual({ version: 'v2', pod: 'p' });
    expect(seedClassifier(200, {}, 'This is Version1 service')).toEqual({ version: 'v1', pod: undefined });
    expect(seedClassifier(200, ok, 'This is Version1 service').error).toBe('unknown-body');
    expect(seedClassifier(200, ok, '<html>welcome to nginx</html>').error).toBe('unknown-body');
    expect(seedClassifier(503, ok, 'draining').error).toBe('http-5xx');
    expect(seedClassifier(404, ok, 'Not Found').error).toBe('http-status');
  });

  it('reads only the header for other paths', () => {
    expect(headerClassifier(200, ok, '{}')).toEqual({ version: 'v2', pod: 'p' });
    expect(headerClassifier(200, {}, '{}').error).toBe('unknown-body');
  });

  it('takes any 2xx from a service that is not ours, labelled as well as it can', () => {
    expect(anyServiceClassifier(200, ok, '{}')).toEqual({ version: 'v2', pod: 'p' });
    expect(anyServiceClassifier(200, {}, 'This is Version1 service')).toEqual({
      version: 'v1',
      pod: undefined,
    });
    expect(anyServiceClassifier(204, {}, '')).toEqual({ version: 'unlabelled', pod: undefined });
    expect(anyServiceClassifier(502, {}, 'bad gateway').error).toBe('http-5xx');
    expect(anyServiceClassifier(301, {}, '').error).toBe('http-status');
  });
});
