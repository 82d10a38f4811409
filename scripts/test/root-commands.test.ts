import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../lib/config.js';

// Every `pnpm <script>` of the root answers --help without a cluster, a build or a stack trace, and ours
// refuse a flag they do not know in one line. They run in a fresh copy of the tree (the files git would
// commit, then `pnpm install`): nothing built, as right after a clone.
const scripts = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts as Record<
  string,
  string
>;
/** The entry points this project wrote (the others are Turborepo's and Biome's own). */
const ours = Object.keys(scripts).filter((name) =>
  /^(tsx scripts\/|node scripts\/)/.test(scripts[name] ?? ''),
);

const run = promisify(execFile);
let fresh = '';

beforeAll(async () => {
  fresh = await mkdtemp(join(tmpdir(), 'rollout-lab-fresh-'));
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    await mkdir(join(fresh, dirname(file)), { recursive: true });
    await cp(join(repoRoot, file), join(fresh, file)).catch(() => {}); // deleted, not yet committed
  }
  await run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline', '--silent'], {
    cwd: fresh,
    timeout: 280_000,
  });
}, 300_000);

afterAll(() => (fresh ? rm(fresh, { recursive: true, force: true }) : undefined));

const pnpm = async (args: string[], env: Record<string, string> = {}) => {
  try {
    const { stdout, stderr } = await promisify(execFile)('pnpm', ['--silent', ...args], {
      cwd: fresh,
      env: { ...process.env, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
};
const STACK = /^\s+at .+[:(]\d+/m;

describe('root commands', () => {
  it('are the ones the README names, and ours are most of them', () => {
    expect(ours).toEqual(
      expect.arrayContaining([
        'e2e',
        'cluster:up',
        'cluster:down',
        'images',
        'host:check',
        'rollout',
        'tutorial',
      ]),
    );
  });

  it.each(Object.keys(scripts))(
    'pnpm %s --help answers, exit 0, no stack trace',
    async (name) => {
      const run = await pnpm([name, '--help']);
      expect(run.stderr).not.toMatch(STACK);
      expect(run.code, run.stderr).toBe(0);
      expect(`${run.stdout}`.toLowerCase()).toContain('usage');
    },
    130_000,
  );

  it.each(ours.filter((name) => name !== 'rollout'))(
    'pnpm %s --bogus is refused in one line, exit 1, before any work',
    async (name) => {
      const run = await pnpm([name, '--bogus']);
      expect(run.code).toBe(1);
      expect(run.stderr).not.toMatch(STACK);
      expect(run.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^error: pnpm \S+: unknown flag "--bogus"/),
      ]);
    },
    130_000,
  );

  it.each([
    ['ROLLOUT_LAB_E2E_WORKERS', 'two'],
    ['ROLLOUT_LAB_E2E_WORKERS', '0'],
    ['ROLLOUT_LAB_E2E_SCENARIOS', '1.5'],
  ])(
    'pnpm e2e with %s=%s is refused in one line, exit 1, before any work',
    async (name, value) => {
      const run = await pnpm(['e2e'], { [name]: value });
      expect(run.code).toBe(1);
      expect(run.stderr).not.toMatch(STACK);
      expect(run.stderr.trim().split('\n')).toEqual([
        `error: ${name} must be a whole number from 1 to ${name.endsWith('WORKERS') ? 16 : 8}, got "${value}"`,
      ]);
    },
    130_000,
  );
});
