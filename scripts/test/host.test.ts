import { describe, expect, it } from 'vitest';
import { RUNC_WRAPPER, wantedDaemonConfig } from '../lib/host.js';

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
