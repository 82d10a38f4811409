import { describe, expect, it } from 'vitest';
import {
  histogramDelta,
  programmingHistogram,
  restartsBetween,
  summarizeProgramming,
} from '../lib/kube-proxy.js';

// Part of what kube-proxy 1.37 served on this machine's control plane after two suites (buckets trimmed).
const metrics = (counts: number[]) =>
  [
    '# HELP kubeproxy_network_programming_duration_seconds [ALPHA] In Cluster Network Programming Latency in seconds',
    '# TYPE kubeproxy_network_programming_duration_seconds histogram',
    ...[0.25, 0.5, 1, 2, 3, 4, 5, 6, 7, 22, '+Inf'].map(
      (le, i) =>
        `kubeproxy_network_programming_duration_seconds_bucket{ip_family="IPv4",le="${le}"} ${counts[i]}`,
    ),
    'kubeproxy_network_programming_duration_seconds_sum{ip_family="IPv4"} 1243.94758556',
    'kubeproxy_network_programming_duration_seconds_count{ip_family="IPv4"} 695',
    'kubeproxy_sync_proxy_rules_duration_seconds_bucket{ip_family="IPv4",le="0.001"} 0',
  ].join('\n');
const seen = [7, 30, 147, 506, 618, 661, 677, 687, 693, 694, 695];

describe("kube-proxy's endpoint programming latency", () => {
  it('reads the cumulative buckets, and no other histogram', () => {
    const h = programmingHistogram(metrics(seen));
    expect(h.size).toBe(11);
    expect(h.get(2)).toBe(506);
    expect(h.get(Number.POSITIVE_INFINITY)).toBe(695);
  });

  it('summarizes: median and p99 buckets, and how many changes took longer than the budget', () => {
    expect(summarizeProgramming(programmingHistogram(metrics(seen)), 6)).toEqual({
      changes: 695,
      p50: 2,
      p99: 7,
      max: Number.POSITIVE_INFINITY,
      over: 8,
      budgetS: 6,
    });
  });

  it('counts only what happened between two readings', () => {
    const before = programmingHistogram(metrics(seen));
    const after = programmingHistogram(metrics(seen.map((n, i) => n + (i >= 3 ? 10 : 0))));
    expect(summarizeProgramming(histogramDelta(after, before), 6)).toEqual({
      changes: 10,
      p50: 2,
      p99: 2,
      max: 2,
      over: 0,
      budgetS: 6,
    });
  });

  it('a kube-proxy restarted in between (its node was) counts from zero: its reading is the delta', () => {
    const before = programmingHistogram(metrics(seen));
    const after = programmingHistogram(metrics([0, 0, 1, 5, 6, 6, 6, 6, 6, 6, 6]));
    expect(summarizeProgramming(histogramDelta(after, before), 6)).toMatchObject({
      changes: 6,
      p50: 2,
      over: 0,
    });
  });

  it('an empty reading (no kube-proxy metrics) is no changes, not an error', () => {
    expect(summarizeProgramming(new Map(), 6)).toMatchObject({ changes: 0, over: 0 });
  });
});

describe('restartsBetween', () => {
  it('names the control-plane pods that restarted, with how often', () => {
    const before = new Map([
      ['kube-controller-manager-x', 1],
      ['etcd-x', 0],
    ]);
    const after = new Map([
      ['kube-controller-manager-x', 3],
      ['etcd-x', 0],
      ['kube-scheduler-x', 1],
    ]);
    expect(restartsBetween(before, after)).toEqual(['kube-controller-manager-x 2', 'kube-scheduler-x 1']);
    expect(restartsBetween(after, after)).toEqual([]);
  });
});
