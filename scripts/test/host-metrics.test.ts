import { describe, expect, it } from 'vitest';
import {
  counterDelta,
  cpuUse,
  formatDataPath,
  hostBusySeconds,
  parseProcNet,
  processSeconds,
  wantedTcp,
} from '../lib/host-metrics.js';

describe('host metrics', () => {
  it('reads /proc/net/netstat and /proc/net/snmp name and value lines', () => {
    const text = [
      'TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPSynRetrans',
      'TcpExt: 0 3 4 17',
      'IpExt: InNoRoutes',
      'IpExt: 9',
      'Tcp: RtoAlgorithm AttemptFails EstabResets RetransSegs',
      'Tcp: 1 2 5 40',
      '',
    ].join('\n');
    expect(parseProcNet(text)).toEqual({
      'TcpExt.SyncookiesSent': 0,
      'TcpExt.ListenOverflows': 3,
      'TcpExt.ListenDrops': 4,
      'TcpExt.TCPSynRetrans': 17,
      'IpExt.InNoRoutes': 9,
      'Tcp.RtoAlgorithm': 1,
      'Tcp.AttemptFails': 2,
      'Tcp.EstabResets': 5,
      'Tcp.RetransSegs': 40,
    });
    expect(wantedTcp(parseProcNet(text))['TcpExt.TCPSynRetrans']).toBe(17);
    expect(wantedTcp({})['TcpExt.TCPTimeouts']).toBe(0);
    expect(counterDelta({ a: 10, b: 3 }, { a: 4 })).toEqual({ a: 6, b: 3 });
  });

  it('counts busy time over all cores, idle and iowait aside', () => {
    // user nice system idle iowait irq softirq steal
    expect(hostBusySeconds('cpu  100 0 50 1000 30 5 5 10 0 0\ncpu0 1 2 3')).toBe(1.7);
  });

  it("reads a process's own and its children's CPU, whatever its name holds", () => {
    const fields = Array.from({ length: 40 }, (_, i) => String(i + 3));
    // fields 14-17 (utime stime cutime cstime) are 14, 15, 16, 17 ticks here
    const stat = `42 (a (weird) name) ${fields.slice(0).join(' ')}`;
    expect(processSeconds(stat)).toEqual({ own: 0.29, children: 0.33, start: 22 });
  });

  it('turns two CPU snapshots into average cores; a part that restarted counts from zero', () => {
    const before = { at: 0, hostBusyS: 10, parts: { node: 5, engine: 9 } };
    const after = { at: 10_000, hostBusyS: 25, parts: { node: 12, engine: 2, tests: 4 } };
    expect(cpuUse(after, before)).toEqual({
      wallS: 10,
      hostCores: 1.5,
      parts: { node: 0.7, engine: 0.2, tests: 0.4 },
    });
    expect(
      formatDataPath({
        tcp: { 'TcpExt.TCPSynRetrans': 0, 'Tcp.EstabResets': 2 },
        cpu: cpuUse(after, before),
      }),
    ).toEqual([
      'host TCP over 10 s: TCPSynRetrans 0, EstabResets 2',
      'host CPU: 1.50 cores busy on average; node 0.70, tests 0.40, engine 0.20',
    ]);
  });

  it('takes a sum of processes process by process: one that exited does not make the rest count whole', () => {
    // A node restarted: its shim (pid 7) exited with 40 s, a new one (pid 9) used 1 s; dockerd used 3 s.
    const before = {
      at: 0,
      hostBusyS: 0,
      parts: { engine: 140 },
      members: { engine: { '1 100': 100, '7 500': 40 } },
    };
    const after = {
      at: 10_000,
      hostBusyS: 10,
      parts: { engine: 104 },
      members: { engine: { '1 100': 103, '9 900': 1 } },
    };
    expect(cpuUse(after, before).parts.engine).toBe(0.4);
  });
});
