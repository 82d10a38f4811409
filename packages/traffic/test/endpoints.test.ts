import { describe, expect, it } from 'vitest';
import {
  describeTimeline,
  type EndpointTimeline,
  endpointsAt,
  explainFailure,
  podChanges,
  type RequestRecord,
} from '../src/index.js';

const ep = (pod: string, ip: string, ready = true, terminating = false) => ({
  ip,
  pod,
  ready,
  serving: ready || terminating,
  terminating,
});

// A canary pod replaced at 4.5 s: not ready and terminating in the slice from 4.6 s, gone at 16.9 s.
const timeline: EndpointTimeline = {
  slices: [
    { at: 0, slice: 'svc-a', endpoints: [ep('stable-1', '10.244.1.2'), ep('canary-old', '10.244.1.9')] },
    { at: 0, slice: 'svc-b', endpoints: [ep('stable-2', '10.244.2.3')] },
    {
      at: 4600,
      slice: 'svc-a',
      endpoints: [ep('stable-1', '10.244.1.2'), ep('canary-old', '10.244.1.9', false, true)],
    },
    { at: 16_900, slice: 'svc-a', endpoints: [ep('stable-1', '10.244.1.2')] },
    { at: 20_000, slice: 'svc-b' },
  ],
  pods: [
    { at: 0, pod: 'stable-1', change: 'ready' },
    { at: 4500, pod: 'canary-old', change: 'deleting' },
    { at: 4600, pod: 'canary-old', change: 'not-ready' },
    { at: 16_900, pod: 'canary-old', change: 'gone' },
  ],
};

const failed = (
  startedAt: number,
  error: RequestRecord['error'],
  extra: Partial<RequestRecord> = {},
): RequestRecord => ({
  seq: 1,
  scheduledAt: startedAt,
  startedAt,
  endedAt: startedAt + 3,
  error,
  ...extra,
});

describe('endpoints when a request failed', () => {
  it('takes each slice’s latest snapshot up to the time; a deleted slice holds none', () => {
    expect(endpointsAt(timeline, 1000).map((e) => e.pod)).toEqual(['stable-1', 'canary-old', 'stable-2']);
    expect(endpointsAt(timeline, 5000).find((e) => e.pod === 'canary-old')?.terminating).toBe(true);
    expect(endpointsAt(timeline, 21_000).map((e) => e.pod)).toEqual(['stable-1']);
    expect(endpointsAt(timeline, -1)).toEqual([]);
  });

  it('names the ready endpoints, the terminating ones, and the pods that left shortly before', () => {
    const line = explainFailure(timeline, failed(16_500, 'reset', { detail: 'ECONNRESET', connectMs: 1 }));
    expect(line).toBe(
      '16.50 s reset: ECONNRESET (after 3 ms, connected in 1 ms); ' +
        'endpoints ready: stable-1 (10.244.1.2), stable-2 (10.244.2.3); ' +
        'others: canary-old (10.244.1.9) terminating, serving; ' +
        'pods leaving: canary-old deleting at 4.50 s, not-ready at 4.60 s, gone at 16.90 s',
    );
  });

  it('leaves out pods that left long before, and says none where nothing moved', () => {
    const line = explainFailure(timeline, failed(60_000, 'timeout'), 30_000);
    expect(line).toContain('pods leaving: none');
    expect(line).toContain('others: none');
    expect(line).toMatch(/^60\.00 s timeout \(after 3 ms\)/);
  });

  it('turns a pod’s views into changes: ready, deleting, not ready, gone', () => {
    const view = (ready: boolean, deleting = false) => ({ name: 'p', ready, deleting });
    expect(podChanges(undefined, view(false), 1, 'p')).toEqual([]);
    expect(podChanges(undefined, view(true), 1, 'p')).toEqual([{ at: 1, pod: 'p', change: 'ready' }]);
    expect(podChanges(view(true), view(true, true), 2, 'p')).toEqual([
      { at: 2, pod: 'p', change: 'deleting' },
    ]);
    expect(podChanges(view(true, true), view(false, true), 3, 'p')).toEqual([
      { at: 3, pod: 'p', change: 'not-ready' },
    ]);
    expect(podChanges(view(false, true), undefined, 4, 'p')).toEqual([{ at: 4, pod: 'p', change: 'gone' }]);
    expect(podChanges(undefined, undefined, 5, 'p')).toEqual([]);
  });

  it('lists the whole timeline in order, each line behind its label', () => {
    const lines = describeTimeline(timeline, (at) => `${at / 1000}s`);
    expect(lines[0]).toBe('0s pod stable-1 ready');
    expect(lines).toContain('4.6s slice svc-a: stable-1, canary-old (terminating)');
    expect(lines).toContain('16.9s pod canary-old gone');
    expect(lines.at(-1)).toBe('20s slice svc-b: deleted');
    expect(lines).toHaveLength(timeline.pods.length + timeline.slices.length);
  });
});
