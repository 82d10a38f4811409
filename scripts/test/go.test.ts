import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { ImagePlan } from '../lib/config.js';
import { atIdlePriority, q } from '../lib/exec.js';
import { childrenSeconds, kubernetesStagingReplaces } from '../lib/go.js';
import { buildAhead } from '../steps.js';

describe('kubernetesStagingReplaces', () => {
  it('turns ./staging replaces into published v0.X.Y versions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8s-mod-'));
    writeFileSync(
      join(dir, 'go.mod'),
      'module k8s.io/kubernetes\n\nreplace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n\tk8s.io/client-go => ./staging/src/k8s.io/client-go\n\tgithub.com/x/y => github.com/x/y v1.0.0\n)\n',
    );
    expect(await kubernetesStagingReplaces(dir, 'v1.34.3')).toEqual([
      'k8s.io/api => k8s.io/api v0.34.3',
      'k8s.io/client-go => k8s.io/client-go v0.34.3',
    ]);
  });
});

describe('atIdlePriority', () => {
  it('runs the command under SCHED_IDLE, which its children inherit', async () => {
    const [command, args] = await atIdlePriority('sh', ['-c', 'sh -c "chrt -p \\$\\$"']);
    const out = await q`${command} ${args}`;
    expect(out.stdout).toMatch(/current scheduling policy: SCHED_IDLE/);
  });
});

describe('buildAhead', () => {
  const plan = (source: 'online' | 'offline', version: string) =>
    ({ source, kubernetes: { version, minor: version.slice(1, 5) } }) as ImagePlan;

  it('builds nothing for images that come from a registry, or when already stopped', async () => {
    expect(buildAhead([plan('online', 'v1.36.3')], new AbortController().signal, true).size).toBe(0);
    const stopped = new AbortController();
    stopped.abort();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const ended = buildAhead(
        [plan('offline', 'v0.0.0-none'), plan('offline', 'v0.0.1-none')],
        stopped.signal,
        true,
      );
      expect([...ended.keys()]).toEqual(['v0.0.0-none', 'v0.0.1-none']);
      await expect(Promise.all(ended.values())).resolves.toEqual([undefined, undefined]);
      // Settled without starting a build (it would print its phase, then fail on an unknown version).
      expect(log).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
  });
});

describe('childrenSeconds', () => {
  it("adds user and sys of the children's line of bash's times", async () => {
    expect(childrenSeconds('0m0.002s 0m0.001s\n12m3.500s 1m0.250s\n')).toBe(783.75);
    expect(childrenSeconds('go: no such module')).toBeUndefined();
    const burn = `sh -c 'i=0; while [ "$i" -lt 300000 ]; do i=$((i+1)); done'`;
    const out = await q`bash -c ${`${burn}; times`}`;
    expect(childrenSeconds(out.stdout)).toBeGreaterThan(0.05);
  });
});
