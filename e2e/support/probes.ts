import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { kubectl, reportsDir } from './env.js';

// Probe failures are the kubelet's view of a starved node: a readiness probe that times out takes a
// healthy pod out of its Service (failureThreshold 1), which the sampler sees as errors no rollout
// explains. The kubelet's own counters vanish with the pod, its events with the namespace: each test
// namespace's Unhealthy events are kept before it goes (e2e/.reports/…/probe-failures.jsonl).

export interface ProbeFailures {
  namespace: string;
  /** Failed probes by kind and cause: "Readiness timeout", "Liveness status 503", … */
  counts: Record<string, number>;
}

interface EventItem {
  reason?: string;
  message?: string;
  count?: number;
  series?: { count?: number };
}

/** "Readiness probe failed: Get …: context deadline exceeded (Client.Timeout …)" → "Readiness timeout". */
export function classifyProbeEvent(message: string): string {
  const kind = /^(Readiness|Liveness|Startup) probe/.exec(message)?.[1] ?? 'Other';
  const status = /statuscode: (\d+)/.exec(message)?.[1];
  if (status) return `${kind} status ${status}`;
  if (/deadline exceeded|timeout|timed out/i.test(message)) return `${kind} timeout`;
  if (/connection refused/i.test(message)) return `${kind} refused`;
  return `${kind} other`;
}

export function countProbeFailures(namespace: string, events: readonly EventItem[]): ProbeFailures {
  const counts: Record<string, number> = {};
  for (const e of events) {
    if (e.reason !== 'Unhealthy' || !e.message) continue;
    const key = classifyProbeEvent(e.message);
    counts[key] = (counts[key] ?? 0) + Math.max(e.count ?? 1, e.series?.count ?? 1);
  }
  return { namespace, counts };
}

/** Appends the namespace's probe failures, if any, to this suite's probe-failures.jsonl. */
export async function recordProbeFailures(namespace: string): Promise<void> {
  const out = await kubectl(['get', 'events', '-n', namespace, '-o', 'json']).nothrow();
  if (out.exitCode !== 0) return;
  const found = countProbeFailures(namespace, JSON.parse(out.stdout).items ?? []);
  if (Object.keys(found.counts).length === 0) return;
  const dir = join(import.meta.dirname, '..', reportsDir());
  await mkdir(dir, { recursive: true });
  await appendFile(join(dir, 'probe-failures.jsonl'), `${JSON.stringify(found)}\n`);
}
