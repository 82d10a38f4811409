import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CONTAINERS_CPU_SHARES,
  containersCpuShares,
  cpuCgroup,
  RUNC_WRAPPER,
  raiseContainersCpuWeight,
  wantedDaemonConfig,
} from '../lib/host.js';

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

describe('raiseContainersCpuWeight', () => {
  const roots: string[] = [];
  afterEach(async () => {
    for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
  });
  /** A cgroup root in a temporary folder: v1 (one folder per controller) or v2 (cgroup.controllers). */
  const cgroupRoot = async (version: 1 | 2, shares?: number) => {
    const root = await mkdtemp(join(tmpdir(), 'rl-cgroup-'));
    roots.push(root);
    if (version === 2) await writeFile(join(root, 'cgroup.controllers'), 'cpu io memory\n');
    if (shares !== undefined) {
      await mkdir(join(root, 'cpu', 'docker'), { recursive: true });
      await writeFile(join(root, 'cpu', 'docker', 'cpu.shares'), `${shares}\n`);
    }
    return root;
  };

  it("raises Docker's cgroup from the default, and says from what", async () => {
    const root = await cgroupRoot(1, 1024);
    const file = join(root, 'cpu', 'docker', 'cpu.shares');
    expect(await raiseContainersCpuWeight('cgroupfs', root)).toEqual({
      file,
      before: 1024,
      after: CONTAINERS_CPU_SHARES,
    });
    expect(Number(await readFile(file, 'utf8'))).toBe(CONTAINERS_CPU_SHARES);
    expect(await containersCpuShares(root)).toBe(CONTAINERS_CPU_SHARES);
  });
  it('makes the cgroup before dockerd has run a container', async () => {
    const root = await cgroupRoot(1);
    expect(await containersCpuShares(root)).toBeUndefined();
    expect(await raiseContainersCpuWeight('cgroupfs', root)).toMatchObject({ after: CONTAINERS_CPU_SHARES });
  });
  it('never lowers a weight the host set higher', async () => {
    const root = await cgroupRoot(1, 8192);
    expect(await raiseContainersCpuWeight('cgroupfs', root)).toMatchObject({ before: 8192, after: 8192 });
    expect(await containersCpuShares(root)).toBe(8192);
  });
  it('says so, and goes on, where the cgroup cannot be made', async () => {
    const root = await cgroupRoot(1);
    await writeFile(join(root, 'cpu'), 'not a folder');
    expect(await raiseContainersCpuWeight('cgroupfs', root)).toEqual({
      skipped: `${join(root, 'cpu', 'docker', 'cpu.shares')} cannot be written (ENOTDIR)`,
    });
  });
  it('leaves cgroup v2 and the systemd driver alone, saying why', async () => {
    expect(await raiseContainersCpuWeight('systemd', await cgroupRoot(2))).toEqual({
      skipped: 'cgroup v2: the containers sit in a systemd slice of their own',
    });
    const v1 = await cgroupRoot(1, 1024);
    expect(await raiseContainersCpuWeight('systemd', v1)).toEqual({
      skipped: "Docker's cgroup driver is systemd, not cgroupfs",
    });
    expect(await containersCpuShares(v1)).toBe(1024);
  });
});
