import { describe, expect, it } from 'vitest';
import { cpuCgroup, RUNC_WRAPPER, wantedDaemonConfig } from '../lib/host.js';

describe('wantedDaemonConfig', () => {
  it("turns the userland proxy off and keeps the host's own settings", () => {
    expect(wantedDaemonConfig({ 'log-level': 'warn' }, { lacksSysResource: false })).toEqual({
      'log-level': 'warn',
      'userland-proxy': false,
    });
  });
  it('adds the runc wrapper beside other runtimes where CAP_SYS_RESOURCE is missing', () => {
    const current = { runtimes: { other: { path: '/x' } }, 'userland-proxy': true };
    expect(wantedDaemonConfig(current, { lacksSysResource: true })).toEqual({
      runtimes: { other: { path: '/x' }, 'rollout-lab-runc': { path: RUNC_WRAPPER } },
      'default-runtime': 'rollout-lab-runc',
      'userland-proxy': false,
    });
  });
  it('changes nothing once applied', () => {
    const once = wantedDaemonConfig({}, { lacksSysResource: true });
    expect(JSON.stringify(wantedDaemonConfig(once, { lacksSysResource: true }))).toBe(JSON.stringify(once));
  });
});

describe('cpuCgroup', () => {
  it('reads the cpu hierarchy on cgroup v1, alone or shared with cpuacct', () => {
    expect(cpuCgroup('9:name=systemd:/\n4:memory:/process_api/8f46\n2:cpuacct:/\n1:cpu:/\n0::/\n')).toBe('/');
    expect(cpuCgroup('5:cpu,cpuacct:/user.slice\n1:name=systemd:/user.slice/session-2.scope\n')).toBe(
      '/user.slice',
    );
  });
  it('falls back to the unified hierarchy on cgroup v2, and says nothing of a file it cannot read', () => {
    expect(cpuCgroup('0::/user.slice/user-0.slice/session-3.scope\n')).toBe(
      '/user.slice/user-0.slice/session-3.scope',
    );
    expect(cpuCgroup('0::/\n')).toBe('/');
    expect(cpuCgroup('')).toBeUndefined();
  });
});
