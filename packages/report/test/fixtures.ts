import type { ErrorKind, RequestRecord } from '@rollout-lab/traffic';

/**
 * A made-up rolling update at 50 requests/s for 30 s: v1 alone until 10 s, v2's share growing to 100 %
 * at 20 s, and `failures` failed requests (reset, then timeout) around 15 s.
 */
export function rollingRecords(failures = 0): RequestRecord[] {
  const records: RequestRecord[] = [];
  for (let seq = 0; seq < 1500; seq++) {
    const t = seq * 20;
    const v2Share = Math.min(1, Math.max(0, (t - 10_000) / 10_000));
    // Deterministic spread: request i is v2 when its fractional position falls under the share.
    const version = (seq * 0.618034) % 1 < v2Share ? 'v2' : 'v1';
    const failIndex = seq - 750;
    const error: ErrorKind | undefined =
      failIndex >= 0 && failIndex < failures ? (failIndex % 2 ? 'timeout' : 'reset') : undefined;
    records.push({
      seq,
      scheduledAt: t,
      startedAt: t,
      endedAt: t + 3 + (seq % 7),
      ...(error ? { error, detail: 'made up' } : { status: 200, version, pod: `${version}-pod-${seq % 3}` }),
    });
  }
  return records;
}
