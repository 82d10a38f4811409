import { fileURLToPath } from 'node:url';
import { describeTimeline } from '@rollout-lab/traffic';
import { describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { cluster, useNamespace } from '../support/cluster.js';
import { watchEndpoints } from '../support/endpoints.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

// `pnpm tutorial` as a reader would run it without a terminal, in Korean: every step of the seed, a
// sampler on each, and not one failed request.
describe('pnpm tutorial --yes --lang ko', () => {
  const ns = useNamespace('rl-tutorial');

  it('walks the seed in Korean: deploy, rolling update, history, undo, canary, blue/green; 0 failed', async () => {
    // The tutorial samples in its own process; its failed requests carry their UTC time (✗ lines), to be
    // set beside the pods' and endpoints' steps watched here.
    const watch = watchEndpoints(cluster(), ns.name, () => Date.now());
    const r = await $({
      cwd: repoRoot,
      nothrow: true,
      quiet: true,
      env: { ...process.env, CI: 'true' },
    })`pnpm tutorial --yes --lang ko --namespace ${ns.name}`;
    // The summary, or everything when it failed: each step's chart and failure classes say where.
    const timeline = watch.stop();
    const failed = r.exitCode !== 0 || /^error:/m.test(r.stderr);
    console.log(failed ? `${r.stdout}\n${r.stderr}` : r.stdout.split('\n').slice(-12).join('\n'));
    if (failed) {
      const utc = (at: number) => new Date(at).toISOString();
      console.log(
        ['the namespace’s pods and endpoints meanwhile:', ...describeTimeline(timeline, utc)].join('\n  '),
      );
    }
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([]);
    expect(r.exitCode).toBe(0);
    // Each step said what it does, in Korean, before its commands.
    for (const title of [
      '4–5. v1 배포',
      '6. 롤링 업데이트 v1 → v2',
      '7. 리비전 1로 롤백',
      '카나리 50 % → 승격',
      'Blue/Green 전환',
    ]) {
      expect(r.stdout).toContain(`── ${title} ──`);
    }
    expect(r.stdout).toContain('$ pnpm rollout set-image deploy-myapp myapp=rollout-lab/myapp:v2.0');
    // --kubectl: the kubectl commands that do the same.
    expect(r.stdout).toMatch(/kubectl set image deployment deploy-myapp myapp=rollout-lab\/myapp:v2\.0/);
    expect(r.stdout).toMatch(/kubectl rollout undo deployment\/deploy-myapp .*--to-revision=1/);
    // The history step shows both revisions with their change-causes.
    expect(r.stdout).toMatch(/^\s+2\s+upgrade to myapp v2\.0$/m);
    // Four sampled steps, each with requests and 0 failed; the total at least 1,000 and 0 failed.
    const steps = [...r.stdout.matchAll(/^ {2}요청 (\d+), 실패 (\d+) /gm)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(steps).toHaveLength(4);
    for (const [requests, failed] of steps) {
      expect(requests).toBeGreaterThan(100);
      expect(failed).toBe(0);
    }
    const total = /^ {2}전체: (\d+) 요청, (\d+) 실패$/m.exec(r.stdout);
    expect(Number(total?.[1])).toBeGreaterThanOrEqual(1000);
    expect(Number(total?.[2])).toBe(0);
    expect(r.stdout).toContain('끝: 모든 단계에서 실패한 요청이 0입니다.');
  }, 600_000);
});
