// kube-proxy is what turns a pod's end into a Service's: until it has rewritten a node's rules, new
// connections still go to the pod. Zero downtime needs that to happen within the pods' preStop pause.
import { type ClusterSpec, cluster } from './config.js';
import { q } from './exec.js';
import { controlPlaneKubectl, inEachNode } from './kind.js';

/**
 * kubeadm's kube-proxy DaemonSet has no resource requests, so it is BestEffort (cpu.shares 2): on a busy
 * node it is the first to wait, while the rules it writes are what zero downtime hangs on. 100m, as GKE
 * reserves for it, makes it Burstable. (On this project's 2-core machine the tail did not move much:
 * 1.2 % of endpoint changes over 6 s before, 0.9 % after; the pods' preStop pause covers the rest.)
 */
export const KUBE_PROXY_CPU_REQUEST = '100m';

/** Gives kube-proxy its CPU request (a no-op when it has it) and waits for its pods to run with it. */
export async function reserveKubeProxyCpu(spec: ClusterSpec = cluster): Promise<'changed' | 'unchanged'> {
  const kubectl = controlPlaneKubectl(spec);
  const patch = {
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'kube-proxy', resources: { requests: { cpu: KUBE_PROXY_CPU_REQUEST, memory: '32Mi' } } },
          ],
        },
      },
    },
  };
  const out =
    await q`${kubectl} -n kube-system patch daemonset kube-proxy --type strategic -p ${JSON.stringify(patch)}`;
  await q`${kubectl} -n kube-system rollout status daemonset/kube-proxy --timeout=120s`;
  return out.stdout.includes('no change') ? 'unchanged' : 'changed';
}

/** A Prometheus histogram's cumulative buckets: upper bound (s) → count. */
export type Histogram = Map<number, number>;

/** Parses kubeproxy_network_programming_duration_seconds out of a /metrics text. */
export function programmingHistogram(metrics: string): Histogram {
  const buckets: Histogram = new Map();
  const line = /^kubeproxy_network_programming_duration_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\S+)$/;
  for (const text of metrics.split('\n')) {
    const m = line.exec(text.trim());
    if (!m) continue;
    const le = m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
  }
  return buckets;
}

/**
 * after − before, bucket by bucket (kube-proxy's counters run from its start); a kube-proxy that started
 * again in between (a node restarted) counted from zero, so then `after` is the whole story.
 */
export function histogramDelta(after: Histogram, before: Histogram): Histogram {
  const restarted = [...after].some(([le, n]) => n < (before.get(le) ?? 0));
  return restarted ? new Map(after) : new Map([...after].map(([le, n]) => [le, n - (before.get(le) ?? 0)]));
}

export interface ProgrammingSummary {
  changes: number;
  /** Upper bounds of the buckets holding the median, the 99th percentile and the slowest change, seconds. */
  p50: number;
  p99: number;
  max: number;
  /** Changes that took longer than `budgetS`. */
  over: number;
  budgetS: number;
}

export function summarizeProgramming(h: Histogram, budgetS: number): ProgrammingSummary {
  const bounds = [...h.keys()].sort((a, b) => a - b);
  const total = h.get(Number.POSITIVE_INFINITY) ?? Math.max(0, ...h.values());
  const quantile = (p: number) => bounds.find((b) => (h.get(b) ?? 0) >= p * total) ?? Number.NaN;
  // The first bound at or above the budget: changes beyond it certainly took longer.
  const atBudget = bounds.find((b) => b >= budgetS);
  const within = atBudget === undefined ? total : (h.get(atBudget) ?? 0);
  return {
    changes: total,
    p50: quantile(0.5),
    p99: quantile(0.99),
    max: quantile(1),
    over: total - within,
    budgetS,
  };
}

/** Each node's kube-proxy /metrics (127.0.0.1:10249 in the node's network namespace, through bash's /dev/tcp). */
export async function readProgramming(spec: ClusterSpec = cluster): Promise<Map<string, Histogram>> {
  const script =
    'exec 3<>/dev/tcp/127.0.0.1/10249 && printf "GET /metrics HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n" >&3 && cat <&3';
  const metrics = await inEachNode(spec, script);
  return new Map([...metrics].map(([node, text]) => [node, programmingHistogram(text)]));
}

/**
 * Restart counts of the control plane's containers (kube-system pods labelled tier=control-plane), by
 * pod. A controller manager that restarts leaves EndpointSlices still until its successor syncs: one
 * cause of endpoint changes that every node's kube-proxy programs late at the same moment.
 */
export async function controlPlaneRestarts(spec: ClusterSpec = cluster): Promise<Map<string, number>> {
  const path =
    '{range .items[*]}{.metadata.name}{" "}{range .status.containerStatuses[*]}{.restartCount}{end}{"\\n"}{end}';
  const out =
    await q`${controlPlaneKubectl(spec)} -n kube-system get pods -l tier=control-plane -o ${`jsonpath=${path}`}`.nothrow();
  const counts = new Map<string, number>();
  for (const line of out.stdout.trim().split('\n')) {
    const [name, count] = line.split(' ');
    if (name && count !== undefined) counts.set(name, Number(count));
  }
  return counts;
}

/** What restarted in between: "kube-controller-manager-x 2", or nothing. */
export function restartsBetween(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after]
    .filter(([name, n]) => n > (before.get(name) ?? 0))
    .map(([name, n]) => `${name} ${n - (before.get(name) ?? 0)}`);
}
