// What a Service's endpoints and pods were doing when a request failed. A reset or a timeout that no
// rollout explains is either a pod the data path still routed to after it left the endpoints (kube-proxy
// late), or the data path itself (conntrack, a node that stalled): the pods' timeline tells them apart.
// Times are the sampler's (milliseconds since it started), taken when a watch event arrived.
import type { RequestRecord } from './types.js';

/** One endpoint of an EndpointSlice, with its conditions. */
export interface EndpointState {
  ip: string;
  pod?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/** An EndpointSlice as a watch delivered it; `endpoints` undefined once the slice was deleted. */
export interface SliceSnapshot {
  at: number;
  slice: string;
  endpoints?: EndpointState[];
}

export type PodChangeKind = 'ready' | 'not-ready' | 'deleting' | 'gone';

/** A pod's step towards or away from serving. */
export interface PodChange {
  at: number;
  pod: string;
  change: PodChangeKind;
}

export interface EndpointTimeline {
  slices: SliceSnapshot[];
  pods: PodChange[];
}

/** Every endpoint in the namespace's slices as of `at` (the latest snapshot of each slice by then). */
export function endpointsAt(timeline: EndpointTimeline, at: number): EndpointState[] {
  const latest = new Map<string, SliceSnapshot>();
  for (const s of timeline.slices) if (s.at <= at) latest.set(s.slice, s);
  return [...latest.values()].flatMap((s) => s.endpoints ?? []);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * One line per failed request: when it started and how it failed, which endpoints were ready and which
 * were terminating then, and the pods that stepped away from serving in the `lookbackMs` before it (or
 * within a second after: a pod gone just after the request was still there when it connected).
 */
export function explainFailure(
  timeline: EndpointTimeline,
  record: RequestRecord,
  lookbackMs = 30_000,
): string {
  const at = record.startedAt;
  const endpoints = endpointsAt(timeline, at);
  const name = (e: EndpointState) => `${e.pod ?? '?'} (${e.ip})`;
  const ready = endpoints.filter((e) => e.ready).map(name);
  const state = (e: EndpointState) =>
    [e.terminating ? 'terminating' : 'not ready', e.serving ? 'serving' : ''].filter(Boolean).join(', ');
  const others = endpoints.filter((e) => !e.ready).map((e) => `${name(e)} ${state(e)}`);
  const steps = new Map<string, string[]>();
  for (const p of timeline.pods) {
    if (p.change === 'ready' || p.at < at - lookbackMs || p.at > at + 1000) continue;
    steps.set(p.pod, [...(steps.get(p.pod) ?? []), `${p.change} at ${seconds(p.at)}`]);
  }
  const how = [record.error, record.detail].filter(Boolean).join(': ');
  const connect = record.connectMs === undefined ? '' : `, connected in ${record.connectMs.toFixed(0)} ms`;
  return (
    `${seconds(at)} ${how} (after ${(record.endedAt - at).toFixed(0)} ms${connect}); ` +
    `endpoints ready: ${ready.join(', ') || 'none'}; others: ${others.join(', ') || 'none'}; ` +
    `pods leaving: ${[...steps].map(([pod, s]) => `${pod} ${s.join(', ')}`).join('; ') || 'none'}`
  );
}

/** The pod's conditions as a watch sees them, reduced to what explainFailure reads. */
export interface PodView {
  name: string;
  ready: boolean;
  deleting: boolean;
}

/**
 * The changes between a pod's last view and this one (a first view of a ready pod is "ready"). `next`
 * undefined: the pod was deleted.
 */
export function podChanges(
  previous: PodView | undefined,
  next: PodView | undefined,
  at: number,
  name: string,
): PodChange[] {
  if (!next) return previous ? [{ at, pod: name, change: 'gone' }] : [];
  const out: PodChange[] = [];
  if (next.deleting && !previous?.deleting) out.push({ at, pod: name, change: 'deleting' });
  if (next.ready !== (previous?.ready ?? false))
    out.push({ at, pod: name, change: next.ready ? 'ready' : 'not-ready' });
  return out;
}

/**
 * The whole timeline as lines, oldest first, each behind `label(at)`: pods' steps, and each slice's
 * endpoints after every change ("ready" ones by name, others with their state).
 */
export function describeTimeline(timeline: EndpointTimeline, label: (at: number) => string): string[] {
  const lines: Array<[number, string]> = [
    ...timeline.pods.map((p): [number, string] => [p.at, `pod ${p.pod} ${p.change}`]),
    ...timeline.slices.map((s): [number, string] => [
      s.at,
      `slice ${s.slice}: ${
        s.endpoints === undefined
          ? 'deleted'
          : s.endpoints
              .map(
                (e) => `${e.pod ?? e.ip}${e.ready ? '' : e.terminating ? ' (terminating)' : ' (not ready)'}`,
              )
              .join(', ') || 'no endpoints'
      }`,
    ]),
  ];
  return lines.sort((a, b) => a[0] - b[0]).map(([at, text]) => `${label(at)} ${text}`);
}
