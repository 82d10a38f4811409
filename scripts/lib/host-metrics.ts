// Where a suite's requests could have been lost, read off the host: TCP counters and CPU per part.
// When a scenario or the preflight loses requests that no rollout explains, these say where to look.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { q } from './exec.js';

/**
 * The host's TCP counters that a lost or late connection leaves a trace in. SYN retransmits are the
 * 1 s / 3 s / 7 s ladder a client climbs when its SYN gets no answer; listen overflows and drops are a
 * listener (docker-proxy, in the host's namespace) that did not accept in time.
 */
export const TCP_COUNTERS = [
  'TcpExt.TCPSynRetrans',
  'TcpExt.ListenOverflows',
  'TcpExt.ListenDrops',
  'TcpExt.TCPTimeouts',
  'Tcp.RetransSegs',
  'Tcp.AttemptFails',
  'Tcp.EstabResets',
] as const;

export type Counters = Record<string, number>;

/** /proc/net/netstat and /proc/net/snmp: pairs of lines, names then values, each behind "Group:". */
export function parseProcNet(text: string): Counters {
  const out: Counters = {};
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [group, ...names] = (lines[i] ?? '').trim().split(/\s+/);
    const [again, ...values] = (lines[i + 1] ?? '').trim().split(/\s+/);
    if (!group?.endsWith(':') || group !== again) continue;
    names.forEach((name, j) => {
      out[`${group.slice(0, -1)}.${name}`] = Number(values[j]);
    });
  }
  return out;
}

export async function readTcpCounters(proc = '/proc'): Promise<Counters> {
  const texts = await Promise.all(
    ['net/netstat', 'net/snmp'].map((f) => readFile(`${proc}/${f}`, 'utf8').catch(() => '')),
  );
  return wantedTcp(Object.assign({}, ...texts.map(parseProcNet)) as Counters);
}

/** TCP_COUNTERS out of all of them (0 where the kernel has no such counter). */
export const wantedTcp = (all: Counters): Counters =>
  Object.fromEntries(TCP_COUNTERS.map((name) => [name, all[name] ?? 0]));

export const counterDelta = (after: Counters, before: Counters): Counters =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));

/** CPU seconds used so far, by part of the machine. */
export interface CpuSnapshot {
  at: number;
  /** The whole host: busy time over all cores (/proc/stat), seconds. */
  hostBusyS: number;
  parts: Record<string, number>;
  /**
   * For a part that adds up processes (the Docker engine): each one's seconds, by "pid start-time". Its
   * delta is taken process by process: one that exited meanwhile (a node's shim when the node restarts)
   * must not make the sum fall and the whole lifetime of the rest count as new.
   */
  members?: Record<string, Record<string, number>>;
}

const TICKS_PER_S = 100;

/** /proc/stat's first line: busy and all jiffies over every core. */
export function hostBusySeconds(stat: string): number {
  const fields = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: idle and iowait are the not-busy ones.
  const busy = fields.reduce((sum, v, i) => (i === 3 || i === 4 ? sum : sum + (v || 0)), 0);
  return busy / TICKS_PER_S;
}

/**
 * utime + stime (own) and cutime + cstime (children it waited for) of a /proc/PID/stat line, seconds, and
 * its start time (clock ticks since boot), which tells a process from a later one with the same PID.
 */
export function processSeconds(stat: string): { own: number; children: number; start: number } {
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(rest[n - 3] ?? 0);
  return {
    own: (field(14) + field(15)) / TICKS_PER_S,
    children: (field(16) + field(17)) / TICKS_PER_S,
    start: field(22),
  };
}

/** The Docker engine's processes, which run outside every container's cgroup on a host without systemd. */
const DOCKER_PROCESSES = new Set([
  'dockerd',
  'containerd',
  'docker-proxy',
  'containerd-shim',
  'containerd-shim-runc-v2',
]);

/** Each Docker engine process's own CPU seconds, by "pid start-time". */
async function dockerEngineSeconds(): Promise<Record<string, number>> {
  const members: Record<string, number> = {};
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
    if (!DOCKER_PROCESSES.has(comm)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const p = processSeconds(stat);
    members[`${pid} ${p.start}`] = p.own;
  }
  return members;
}

/** A container's CPU seconds from its cgroup (v1 cpuacct, or v2 cpu.stat), undefined where none is found. */
async function containerSeconds(id: string): Promise<number | undefined> {
  for (const file of [
    `/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`,
    `/sys/fs/cgroup/cpu,cpuacct/docker/${id}/cpuacct.usage`,
  ]) {
    if (existsSync(file)) return Number(await readFile(file, 'utf8')) / 1e9;
  }
  for (const file of [
    `/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`,
    `/sys/fs/cgroup/docker/${id}/cpu.stat`,
  ]) {
    if (!existsSync(file)) continue;
    const usec = /^usage_usec (\d+)$/m.exec(await readFile(file, 'utf8'))?.[1];
    if (usec) return Number(usec) / 1e6;
  }
  return undefined;
}

/** Every kind node container on the host (all clusters, idle ones too), by name. */
async function kindNodes(): Promise<Array<{ id: string; name: string }>> {
  const out =
    await q`docker ps --no-trunc --filter label=io.x-k8s.kind.cluster --format ${'{{.ID}} {{.Names}}'}`.nothrow();
  return out.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', name = ''] = line.split(' ');
      return { id, name };
    });
}

/** CPU seconds of the builds ahead (steps.ts buildAhead) that have ended: children of this process too. */
let buildsAheadS = 0;
export function countBuildsAhead(seconds: number): void {
  buildsAheadS += seconds;
}

/**
 * CPU seconds so far of: each kind node (its whole cgroup: kubelet, control plane, pods), the Docker
 * engine, and this process with the children it waited for (the test runners, the CLI and kubectl they
 * started, samplers included), less the builds ahead, which are a part of their own once they end.
 */
export async function readCpu(): Promise<CpuSnapshot> {
  const parts: Record<string, number> = {};
  for (const node of await kindNodes()) {
    const s = await containerSeconds(node.id);
    if (s !== undefined) parts[`node ${node.name}`] = s;
  }
  const engine = await dockerEngineSeconds();
  parts['docker engine'] = Object.values(engine).reduce((a, b) => a + b, 0);
  const self = processSeconds(await readFile('/proc/self/stat', 'utf8'));
  // A build ahead is a child too; its CPU lands here when it ends, and is told apart.
  parts['test processes'] = self.own + self.children - buildsAheadS;
  if (buildsAheadS > 0) parts['builds ahead (ended)'] = buildsAheadS;
  return {
    at: Date.now(),
    hostBusyS: hostBusySeconds(await readFile('/proc/stat', 'utf8')),
    parts,
    members: { 'docker engine': engine },
  };
}

export interface CpuUse {
  wallS: number;
  /** Average cores the whole host was busy. */
  hostCores: number;
  /** Average cores per part; a part that appeared or restarted in between counts from zero. */
  parts: Record<string, number>;
}

export function cpuUse(after: CpuSnapshot, before: CpuSnapshot): CpuUse {
  const wallS = Math.max(0.001, (after.at - before.at) / 1000);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    wallS: round(wallS),
    hostCores: round((after.hostBusyS - before.hostBusyS) / wallS),
    parts: Object.fromEntries(
      Object.entries(after.parts).map(([k, v]) => {
        const now = after.members?.[k];
        const then = before.members?.[k];
        if (now && then) {
          // Process by process: a new one counts from zero, one that exited meanwhile is not counted.
          const used = Object.entries(now).reduce((sum, [id, s]) => {
            const was = then[id] ?? 0;
            return sum + (s >= was ? s - was : s);
          }, 0);
          return [k, round(used / wallS)];
        }
        const was = before.parts[k] ?? 0;
        return [k, round((v >= was ? v - was : v) / wallS)];
      }),
    ),
  };
}

/** What the host saw during one suite: the TCP counters' increase and CPU per part. */
export interface DataPath {
  tcp: Counters;
  cpu: CpuUse;
}

export interface DataPathProbe {
  stop(): Promise<DataPath>;
}

export async function startDataPathProbe(): Promise<DataPathProbe> {
  const [tcp, cpu] = await Promise.all([readTcpCounters(), readCpu()]);
  return {
    async stop() {
      const [tcpAfter, cpuAfter] = await Promise.all([readTcpCounters(), readCpu()]);
      return { tcp: counterDelta(tcpAfter, tcp), cpu: cpuUse(cpuAfter, cpu) };
    },
  };
}

/** Two lines for the log: the TCP counters that moved, and the cores each part used on average. */
export function formatDataPath(d: DataPath): string[] {
  const tcp = Object.entries(d.tcp)
    .map(([k, v]) => `${k.replace(/^Tcp(Ext)?\./, '')} ${v}`)
    .join(', ');
  const parts = Object.entries(d.cpu.parts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');
  return [
    `host TCP over ${d.cpu.wallS.toFixed(0)} s: ${tcp}`,
    `host CPU: ${d.cpu.hostCores.toFixed(2)} cores busy on average; ${parts}`,
  ];
}
