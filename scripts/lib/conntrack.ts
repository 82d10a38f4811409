// A packet conntrack cannot place in its connection (out of the TCP window, a reply to a SYN it never
// saw) is "invalid": NAT skips it. With Docker's userland proxy off, a client packet that misses the DNAT
// to a kind node lands on 127.0.0.1:<port>, where nothing listens, and the host answers with a reset; in a
// node, one that misses kube-proxy's DNAT reaches the node's own stack (kubernetes/kubernetes#117924).
// Counting these on the host and in every node during a suite tells such resets from a pod's own.
import { readFile } from 'node:fs/promises';
import type { ClusterSpec } from './config.js';
import { inEachNode } from './kind.js';

/** The columns of /proc/net/stat/nf_conntrack that count a packet or connection conntrack gave up on. */
export const CONNTRACK_COUNTERS = ['invalid', 'insert_failed', 'drop', 'early_drop'] as const;
export type ConntrackCounters = Record<(typeof CONNTRACK_COUNTERS)[number], number>;

/**
 * /proc/net/stat/nf_conntrack: a header of column names, then one line of hex values per CPU, summed
 * here. The columns differ between kernels, so they are found by name. Undefined without a header
 * (no conntrack in that network namespace).
 */
export function parseConntrackStat(text: string): ConntrackCounters | undefined {
  const [header, ...rows] = text.trim().split('\n');
  const names = header?.trim().split(/\s+/) ?? [];
  if (!names.includes('invalid')) return undefined;
  const sums = new Map<string, number>();
  for (const row of rows) {
    const values = row.trim().split(/\s+/);
    if (values.length !== names.length) continue;
    names.forEach((name, i) => {
      sums.set(name, (sums.get(name) ?? 0) + Number.parseInt(values[i] as string, 16));
    });
  }
  return Object.fromEntries(
    CONNTRACK_COUNTERS.map((name) => [name, sums.get(name) ?? 0]),
  ) as ConntrackCounters;
}

export interface ConntrackSnapshot {
  host?: ConntrackCounters;
  nodes: Map<string, ConntrackCounters>;
}

const STAT = '/proc/net/stat/nf_conntrack';

/** The host's counters and each node's (a kind node is a network namespace of its own). */
export async function readConntrack(spec: ClusterSpec): Promise<ConntrackSnapshot> {
  const [host, outputs] = await Promise.all([
    readFile(STAT, 'utf8').then(parseConntrackStat, () => undefined),
    inEachNode(spec, `cat ${STAT}`),
  ]);
  const nodes = new Map<string, ConntrackCounters>();
  for (const [node, text] of outputs) {
    const counters = parseConntrackStat(text);
    if (counters) nodes.set(node, counters);
  }
  return { host, nodes };
}

/**
 * What grew between two snapshots, by place ("host", then the nodes). A counter that fell belongs to a
 * node whose network namespace is new (the node restarted): its whole value counts.
 */
export function conntrackDelta(
  after: ConntrackSnapshot,
  before: ConntrackSnapshot,
): Record<string, ConntrackCounters> {
  const delta = (a: ConntrackCounters, b: ConntrackCounters | undefined) =>
    Object.fromEntries(
      CONNTRACK_COUNTERS.map((k) => [k, b && a[k] >= b[k] ? a[k] - b[k] : a[k]]),
    ) as ConntrackCounters;
  const out: Record<string, ConntrackCounters> = {};
  if (after.host) out.host = delta(after.host, before.host);
  for (const [node, counters] of after.nodes) out[node] = delta(counters, before.nodes.get(node));
  return out;
}

/** One line: "conntrack (invalid, insert failed, drop, early drop): host 3/0/0/0; rollout-lab-worker 0/0/0/0". */
export function formatConntrack(delta: Record<string, ConntrackCounters>): string {
  const places = Object.entries(delta);
  if (places.length === 0) return 'conntrack: its counters could not be read';
  return `conntrack packets it could not track (invalid, insert failed, drop, early drop): ${places
    .map(([place, c]) => `${place} ${CONNTRACK_COUNTERS.map((k) => c[k]).join('/')}`)
    .join('; ')}`;
}
