import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SlotRecord } from './e2e-timings.js';
import { q } from './exec.js';

/**
 * Which of the host's SYN retransmits went to which NodePort, and when: the kernel's tcp_retransmit_skb
 * tracepoint (root, tracefs), in a trace instance of its own so that nothing else's tracing is touched.
 * The host's TCPSynRetrans counter says how many; this says where, so a retransmit during a scenario that
 * injects failures on purpose is told from one that no rollout explains.
 */
export interface SynRetransmit {
  atEpochMs: number;
  port: number;
}

export interface SynTrace {
  stop(): Promise<SynRetransmit[]>;
}

const TRACEFS = '/sys/kernel/tracing';
const MARK = 'rollout-lab-epoch-ms';
const MARK_LINE = new RegExp(`${MARK} (\\d+)`);
/** TCP_SYN_SENT in the kernel's enum. */
const SYN_SENT = 2;

/** Starts tracing, or says why it cannot (not root, no tracefs); the suite runs either way. */
export async function startSynTrace(ports: { first: number; last: number }): Promise<SynTrace | string> {
  if (process.getuid?.() !== 0) return 'not traced: needs root';
  // Debian mounts tracefs on first use by a tracing tool, not at boot.
  if (!existsSync(join(TRACEFS, 'instances'))) await q`mount -t tracefs tracefs ${TRACEFS}`.nothrow();
  if (!existsSync(join(TRACEFS, 'instances'))) return `not traced: no tracefs at ${TRACEFS}`;
  await removeStale();
  // One per suite: their port ranges differ, should two ever run at once.
  const dir = join(TRACEFS, 'instances', `rollout-lab-${process.pid}-${ports.first}`);
  const event = join(dir, 'events/tcp/tcp_retransmit_skb');
  try {
    await mkdir(dir);
    await writeFile(
      join(event, 'filter'),
      `state == ${SYN_SENT} && dport >= ${ports.first} && dport <= ${ports.last}`,
    );
    await writeFile(join(event, 'enable'), '1');
    // The trace's clock is the kernel's; a mark written now ties it to the wall clock.
    await writeFile(join(dir, 'trace_marker'), `${MARK} ${Date.now()}\n`);
  } catch (error) {
    await rmdir(dir).catch(() => {});
    return `not traced: ${(error as Error).message}`;
  }
  return {
    async stop() {
      try {
        return parseSynTrace(await readFile(join(dir, 'trace'), 'utf8'));
      } finally {
        await rmdir(dir).catch(() => {});
      }
    },
  };
}

/** Instances left by runs that were killed: tracing on, for no one. */
async function removeStale(): Promise<void> {
  for (const name of await readdir(join(TRACEFS, 'instances'))) {
    const pid = /^rollout-lab-(\d+)-\d+$/.exec(name)?.[1];
    if (pid && !alive(Number(pid))) await rmdir(join(TRACEFS, 'instances', name)).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The retransmits from 127.0.0.1 (the only address the tests use) in a trace instance's text. */
export function parseSynTrace(text: string): SynRetransmit[] {
  let offsetMs: number | undefined;
  const found: { seconds: number; port: number }[] = [];
  for (const line of text.split('\n')) {
    const at = /\s(\d+\.\d+):\s/.exec(line);
    if (!at) continue;
    const seconds = Number(at[1]);
    const mark = MARK_LINE.exec(line);
    if (mark) offsetMs = Number(mark[1]) - seconds * 1000;
    const syn = /tcp_retransmit_skb:.* dport=(\d+) saddr=127\.0\.0\.1 /.exec(line);
    if (syn) found.push({ seconds, port: Number(syn[1]) });
  }
  if (offsetMs === undefined) return [];
  const offset = offsetMs;
  return found.map((f) => ({ atEpochMs: Math.round(offset + f.seconds * 1000), port: f.port }));
}

/** A scenario's traffic window, and whether it injects failures on purpose. */
export interface ScenarioWindow {
  name: string;
  /** Its NodePort, where its record kept its URL; without one it is matched by time alone. */
  port?: number;
  fromMs: number;
  toMs: number;
  failuresInjected: boolean;
}

export interface SynBurst {
  port: number;
  fromMs: number;
  toMs: number;
  count: number;
  /** Who held the suite's slots at its first retransmit. */
  holders: string[];
  /** The scenarios with failures injected whose traffic was running then. */
  injected: string[];
}

/** Retransmits to one port within `gapMs` of each other are one burst. */
export function synBursts(
  retransmits: readonly SynRetransmit[],
  slots: readonly SlotRecord[],
  scenarios: readonly ScenarioWindow[],
  gapMs = 5000,
): SynBurst[] {
  const bursts: SynBurst[] = [];
  const sorted = [...retransmits].sort((a, b) => a.atEpochMs - b.atEpochMs);
  for (const r of sorted) {
    const open = bursts.find((b) => b.port === r.port && r.atEpochMs - b.toMs <= gapMs);
    if (open) {
      open.toMs = r.atEpochMs;
      open.count++;
      continue;
    }
    const at = r.atEpochMs;
    bursts.push({
      port: r.port,
      fromMs: at,
      toMs: at,
      count: 1,
      holders: slots
        .filter((s) => s.grantedMs !== undefined && s.grantedMs <= at && at <= s.releasedMs)
        .map((s) => s.label),
      injected: scenarios
        .filter(
          (s) =>
            s.failuresInjected &&
            s.fromMs <= at &&
            at <= s.toMs &&
            (s.port === undefined || s.port === r.port),
        )
        .map((s) => s.name),
    });
  }
  return bursts;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** The log's lines: the total, how many fell outside scenarios that inject failures, then each burst. */
export function formatSynBursts(bursts: readonly SynBurst[], limit = 10): string[] {
  const total = bursts.reduce((n, b) => n + b.count, 0);
  const unexplained = bursts.filter((b) => b.injected.length === 0).reduce((n, b) => n + b.count, 0);
  const lines = [
    `SYN retransmits to NodePorts from 127.0.0.1 (traced): ${total}, ${unexplained} outside scenarios that inject failures`,
  ];
  for (const b of bursts.slice(0, limit)) {
    // By the second, as printed: 16:37:05.2 to 16:37:05.9 is one second, not a range.
    const [from, to] = [clock(b.fromMs), clock(b.toMs)];
    const when = from === to ? from : `${from}–${to}`;
    // A scenario without its URL matches by time alone: the holders stay in view.
    const slots = `slots: ${b.holders.join(' | ') || 'none held'}`;
    const why = b.injected.length ? `failures injected: ${b.injected.join(', ')}; ${slots}` : slots;
    lines.push(`  ${b.port} ×${b.count} at ${when} UTC (${why})`);
  }
  if (bursts.length > limit) lines.push(`  … ${bursts.length - limit} more in timings.json`);
  return lines;
}
