// pnpm bench:e2e [--runs N] — the warm suite's time on this machine: `pnpm e2e` with clusters reused and
// images cached (after one untimed warm-up run if a cluster is missing), N times; each run prints its own
// timing table, and this prints one line per run and the target. A benchmark, not a test: it never
// fails on time, only when a run fails.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { $, argv } from 'zx';
import { cluster, nodesCluster, repoRoot } from './lib/config.js';
import type { E2eTimings } from './lib/e2e-timings.js';
import { clusterState, ensureKind } from './lib/kind.js';
import { info, main, UserError } from './lib/log.js';

const TARGET_S = 180;

await main(async () => {
  const runs = Number(argv.runs ?? 1);
  if (!Number.isInteger(runs) || runs < 1 || runs > 10) {
    throw new UserError(`--runs must be a whole number from 1 to 10, got ${argv.runs}`);
  }
  const e2e = () => $({ cwd: repoRoot, stdio: 'inherit', nothrow: true })`pnpm exec tsx scripts/e2e.ts`;
  const kind = await ensureKind();
  const states = await Promise.all([cluster, nodesCluster].map((spec) => clusterState(kind, spec)));
  if (states.some((s) => s !== 'healthy')) {
    info('warm-up: a cluster is not up yet, so one untimed run of pnpm e2e comes first');
    if ((await e2e()).exitCode !== 0) throw new UserError('the warm-up run of pnpm e2e failed');
  }
  const rows: string[] = [];
  let failed = 0;
  for (let i = 1; i <= runs; i++) {
    const code = (await e2e()).exitCode;
    const t: E2eTimings = JSON.parse(await readFile(join(repoRoot, 'e2e/.reports/timings.json'), 'utf8'));
    const longest = t.files[0];
    rows.push(
      `run ${i}: ${(t.totalMs / 1000).toFixed(1)} s, ${code === 0 ? 'passed' : 'FAILED'}; longest file ` +
        `${longest?.file} ${((longest?.ms ?? 0) / 1000).toFixed(1)} s; ${t.workers} files at a time`,
    );
    if (code !== 0) failed++;
  }
  console.log(`\npnpm bench:e2e (warm; target ≤ ${TARGET_S} s)\n${rows.join('\n')}`);
  if (failed) throw new UserError(`${failed} of ${runs} runs failed`);
});
