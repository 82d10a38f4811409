import { describe, expect, it } from 'vitest';
import type { SlotRecord } from '../lib/e2e-timings.js';
import { formatSynBursts, parseSynTrace, synBursts } from '../lib/syn-trace.js';

// Lines as kernel 6.18's tracefs prints them (this machine, 2026-12-07); a pod's and a node's
// retransmit beside the host's, which the tests do not send from 127.0.0.1.
const TRACE = `# tracer: nop
#
            node-4242    [000] .....  1000.000000: tracing_mark_write: rollout-lab-epoch-ms 1796652000000
          <idle>-0       [001] ..s2.  1012.500000: tcp_retransmit_skb: skbaddr=00000000e2c25b21 skaddr=0000000054f8e59b family=AF_INET sport=56402 dport=30081 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 state=TCP_SYN_SENT err=0
         kubelet-6395    [000] .Ns1.  1013.000000: tcp_retransmit_skb: skbaddr=000000000dc788df skaddr=00000000eed30212 family=AF_INET sport=52264 dport=30084 saddr=10.244.5.1 daddr=10.244.5.11 saddrv6=::ffff:10.244.5.1 daddrv6=::ffff:10.244.5.11 state=TCP_SYN_SENT err=0
     ksoftirqd/0-14      [000] ..s1.  1020.250000: tcp_retransmit_skb: skbaddr=000000001e21c8c4 skaddr=00000000ea163153 family=AF_INET sport=41884 dport=30080 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 state=TCP_SYN_SENT err=0
     ksoftirqd/0-14      [000] ..s1.  1021.000000: tcp_retransmit_skb: skbaddr=000000001e21c8c5 skaddr=00000000ea163154 family=AF_INET sport=41886 dport=30080 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 state=TCP_SYN_SENT err=0
`;
const T0 = 1796652000000;

describe('SYN retransmits traced to NodePorts', () => {
  it('reads the host retransmits on the wall clock the mark gives, and drops the pods', () => {
    expect(parseSynTrace(TRACE)).toEqual([
      { atEpochMs: T0 + 12_500, port: 30081 },
      { atEpochMs: T0 + 20_250, port: 30080 },
      { atEpochMs: T0 + 21_000, port: 30080 },
    ]);
  });

  it('finds nothing without the mark (a trace it cannot place in time)', () => {
    expect(parseSynTrace(TRACE.replace(/.*tracing_mark_write.*\n/, ''))).toEqual([]);
  });

  it('groups a port’s retransmits into bursts, names the slot holders and any scenario that injects failures', () => {
    const slots: SlotRecord[] = [
      {
        label: 'tests/canary.test.ts > promotes',
        askedMs: T0,
        grantedMs: T0 + 1000,
        releasedMs: T0 + 15_000,
      },
      {
        label: 'tests/verify.test.ts > careless',
        askedMs: T0,
        grantedMs: T0 + 16_000,
        releasedMs: T0 + 30_000,
      },
      { label: 'tests/x.test.ts > gave up', askedMs: T0, releasedMs: T0 + 30_000 },
    ];
    const scenarios = [
      { name: 'canary promote', fromMs: T0 + 2000, toMs: T0 + 14_000, failuresInjected: false },
      {
        name: 'careless caught',
        port: 30080,
        fromMs: T0 + 17_000,
        toMs: T0 + 29_000,
        failuresInjected: true,
      },
      // Failures injected on another port at the same time excuse nothing here.
      { name: 'faulty canary', port: 30082, fromMs: T0 + 10_000, toMs: T0 + 29_000, failuresInjected: true },
    ];
    const bursts = synBursts(parseSynTrace(TRACE), slots, scenarios);
    expect(bursts).toEqual([
      {
        port: 30081,
        fromMs: T0 + 12_500,
        toMs: T0 + 12_500,
        count: 1,
        holders: ['tests/canary.test.ts > promotes'],
        injected: [],
      },
      {
        port: 30080,
        fromMs: T0 + 20_250,
        toMs: T0 + 21_000,
        count: 2,
        holders: ['tests/verify.test.ts > careless'],
        injected: ['careless caught'],
      },
    ]);
    expect(formatSynBursts(bursts)).toEqual([
      'SYN retransmits to NodePorts from 127.0.0.1 (traced): 3, 1 outside scenarios that inject failures',
      '  30081 ×1 at 14:00:12 UTC (slots: tests/canary.test.ts > promotes)',
      '  30080 ×2 at 14:00:20–14:00:21 UTC (failures injected: careless caught; slots: tests/verify.test.ts > careless)',
    ]);
  });

  it('says so when there were none, and cuts a long list', () => {
    expect(formatSynBursts([])).toEqual([
      'SYN retransmits to NodePorts from 127.0.0.1 (traced): 0, 0 outside scenarios that inject failures',
    ]);
    const many = Array.from({ length: 12 }, (_, i) => ({
      port: 30080 + i,
      fromMs: T0,
      toMs: T0,
      count: 1,
      holders: [],
      injected: [],
    }));
    const lines = formatSynBursts(many, 10);
    expect(lines).toHaveLength(12);
    expect(lines[1]).toBe('  30080 ×1 at 14:00:00 UTC (slots: none held)');
    expect(lines[11]).toBe('  … 2 more in timings.json');
    // Within one printed second: one time, not "14:00:05–14:00:05".
    const oneSecond = {
      port: 30090,
      fromMs: T0 + 5_100,
      toMs: T0 + 5_900,
      count: 2,
      holders: [],
      injected: [],
    };
    expect(formatSynBursts([oneSecond])[1]).toBe('  30090 ×2 at 14:00:05 UTC (slots: none held)');
  });
});
