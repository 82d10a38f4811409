// A kind node that stops for a second or two loses requests no rollout explains. Two journal lines show
// it, and in CI they named the cause of 2 requests lost on 2026-12-06 (docs/e2e.md, files side by side):
// the kubelet's housekeeping (every 2 s; it warns past 1 s, and starts or deletes no pod meanwhile)
// overrunning, and containerd's calls running out of time.
import type { ClusterSpec } from './config.js';
import { inEachNode } from './kind.js';

export interface NodeStalls {
  /** kubelet: "Housekeeping took longer than expected". */
  housekeepingOverruns: number;
  /** The longest of them, seconds (its `actual=`), or 0 without one. */
  longestHousekeepingS: number;
  /** containerd log lines with "context deadline exceeded". */
  containerdDeadlines: number;
}

const KUBELET_LINES = '--- kubelet lines ---';
const CONTAINERD = '--- containerd ---';

/**
 * Parses what nodeJournalScript printed: the kubelet's overrun lines, how many lines the kubelet logged in
 * all, containerd's count. Undefined when the kubelet logged nothing: a journal that was not read, not a
 * node without stalls.
 */
export function parseNodeStalls(output: string): NodeStalls | undefined {
  const lines = output.indexOf(KUBELET_LINES);
  const containerd = output.indexOf(CONTAINERD);
  if (lines < 0 || containerd < lines) return undefined;
  const kubeletLines = Number.parseInt(output.slice(lines + KUBELET_LINES.length, containerd).trim(), 10);
  if (!(kubeletLines > 0)) return undefined;
  const overruns = output
    .slice(0, lines)
    .split('\n')
    .filter((line) => line.includes('Housekeeping took longer'));
  const seconds = overruns.map((line) => durationSeconds(/actual="([^"]+)"/.exec(line)?.[1] ?? ''));
  const deadlines = Number.parseInt(output.slice(containerd + CONTAINERD.length).trim(), 10);
  return {
    housekeepingOverruns: overruns.length,
    longestHousekeepingS: Math.max(0, ...seconds.filter(Number.isFinite)),
    containerdDeadlines: Number.isFinite(deadlines) ? deadlines : 0,
  };
}

/** A Go duration as the kubelet prints it ("1.986s", "850ms", "1m2.5s") in seconds; NaN if unreadable. */
export function durationSeconds(text: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, µs: 1e-6, us: 1e-6, ns: 1e-9 };
  const parts = [...text.matchAll(/([\d.]+)(h|ms|m|s|µs|us|ns)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return Number.NaN;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] as string] as number), 0);
}

/** Run in a node: its journal since `sinceS` (epoch seconds), cut down to what parseNodeStalls reads. */
export const nodeJournalScript = (sinceS: number): string => {
  const since = `journalctl -q -o cat --since @${sinceS}`;
  return (
    `${since} -u kubelet | grep -F 'Housekeeping took longer' || true; ` +
    `echo '${KUBELET_LINES}'; ${since} -u kubelet | wc -l; ` +
    `echo '${CONTAINERD}'; ${since} -u containerd | grep -c 'context deadline exceeded' || true`
  );
};

/** Each node's stalls since `since`; a node whose journal cannot be read, or holds no kubelet line, is left out. */
export async function readNodeStalls(spec: ClusterSpec, since: number): Promise<Record<string, NodeStalls>> {
  const journals = await inEachNode(spec, nodeJournalScript(Math.floor(since / 1000)));
  return Object.fromEntries(
    [...journals].flatMap(([node, text]) => {
      const stalls = parseNodeStalls(text);
      return stalls ? [[node, stalls] as const] : [];
    }),
  );
}

/** One line: "rollout-lab-worker: 1 housekeeping overrun (longest 1.99 s), 1 containerd deadline; …". */
export function formatNodeStalls(stalls: Record<string, NodeStalls>): string {
  const nodes = Object.entries(stalls);
  if (nodes.length === 0) return 'node stalls: the nodes’ journals could not be read';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `node stalls (kubelet housekeeping over its 1 s, containerd deadlines): ${nodes
    .map(
      ([node, s]) =>
        `${node} ${plural(s.housekeepingOverruns, 'overrun')}` +
        (s.housekeepingOverruns > 0 ? ` (longest ${s.longestHousekeepingS.toFixed(2)} s)` : '') +
        `, ${plural(s.containerdDeadlines, 'deadline')}`,
    )
    .join('; ')}`;
}
