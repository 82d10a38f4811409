import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../lib/config.js';

// The packages a user installs into a project of their own, checked as they would get them: what
// `pnpm pack` puts in the tarball (publint: exports, files, types; Are the Types Wrong: the types resolve
// for ESM under node16 and bundlers), then the tarballs installed with npm into an empty folder outside
// the workspace, where the CLI starts and each package README's TypeScript typechecks.
const PUBLISHED = ['traffic', 'report', 'service-kit', 'rollout'];
const run = promisify(execFile);
let work = '';
const tarballs: Record<string, string> = {};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rollout-lab-pack-'));
  for (const name of PUBLISHED) {
    await run('pnpm', ['pack', '--pack-destination', work], { cwd: join(repoRoot, 'packages', name) });
  }
  for (const file of await readdir(work)) {
    const name = PUBLISHED.find((n) => file.startsWith(`rollout-lab-${n}-`));
    if (name) tarballs[name] = join(work, file);
  }
}, 120_000);

afterAll(() => (work ? rm(work, { recursive: true, force: true }) : undefined));

describe('the packages a user installs', () => {
  it.each(PUBLISHED)(
    '%s: publint finds nothing wrong in the package',
    async (name) => {
      const { messages, pkg } = await publint({
        pkgDir: join(repoRoot, 'packages', name),
        strict: true,
        pack: 'pnpm',
      });
      expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg)}`)).toEqual([]);
    },
    60_000,
  );

  it.each(PUBLISHED)(
    '%s: the types resolve for ESM users (Are the Types Wrong, esm-only)',
    async (name) => {
      const attw = join(repoRoot, 'scripts/node_modules/.bin/attw');
      // Exit 0 when nothing is wrong for the profile (node10 and require() aside: these packages are ESM only).
      const result = await run(attw, [tarballs[name] as string, '--profile', 'esm-only', '--format', 'ascii'])
        .then(({ stdout }) => ({ code: 0, stdout }))
        .catch((error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }));
      expect(result.code, result.stdout).toBe(0);
    },
    60_000,
  );

  describe('installed with npm into an empty project', () => {
    let project = '';
    // npm reads the registry for the dependencies: seconds with a warm cache, minutes on a slow network.
    beforeAll(async () => {
      project = join(work, 'project');
      await run('mkdir', ['-p', project]);
      await writeFile(
        join(project, 'package.json'),
        JSON.stringify({ name: 'user-project', private: true, type: 'module' }),
      );
      await run(
        'npm',
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          '--loglevel=error',
          '@types/node@24',
          ...Object.values(tarballs),
        ],
        { cwd: project, timeout: 380_000 },
      );
    }, 400_000);

    it('runs the CLI: rollout --version, rollout verify --help', async () => {
      const version = JSON.parse(
        await readFile(join(repoRoot, 'packages/rollout/package.json'), 'utf8'),
      ).version;
      expect(
        (await run('npx', ['--no-install', 'rollout', '--version'], { cwd: project })).stdout.trim(),
      ).toBe(`rollout ${version}`);
      const help = await run('npx', ['--no-install', 'rollout', 'verify', '--help'], { cwd: project });
      expect(help.stdout).toMatch(/^usage: rollout verify <deployment> --url URL/);
    }, 60_000);

    it("typechecks each package README's TypeScript and a use of the library's public API", async () => {
      const snippets: string[] = [];
      for (const name of PUBLISHED) {
        const readme = await readFile(join(repoRoot, 'packages', name, 'README.md'), 'utf8');
        for (const [, code] of readme.matchAll(/```ts\n([\s\S]*?)```/g)) snippets.push(code as string);
      }
      expect(snippets.length).toBeGreaterThanOrEqual(3);
      const files = snippets.map((_, i) => `readme-${i}.ts`);
      await Promise.all(
        snippets.map((code, i) => writeFile(join(project, files[i] as string), `${code}\nexport {};\n`)),
      );
      await writeFile(
        join(project, 'api.ts'),
        [
          "import { connect, history, parsePlan, setImage, type Target } from '@rollout-lab/rollout';",
          "import schema from '@rollout-lab/rollout/canary-plan.schema.json' with { type: 'json' };",
          "import { assertNoErrors, startSampler } from '@rollout-lab/traffic';",
          "import { renderHtmlReport } from '@rollout-lab/report';",
          "import { startService } from '@rollout-lab/service-kit';",
          "const target: Target = { namespace: 'shop', name: 'web' };",
          'export const uses = [connect, history, parsePlan, setImage, assertNoErrors, startSampler, renderHtmlReport, startService, target, schema.title];',
        ].join('\n'),
      );
      await writeFile(
        join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'nodenext',
            moduleResolution: 'nodenext',
            target: 'es2023',
            strict: true,
            noEmit: true,
            resolveJsonModule: true,
            types: ['node'],
          },
          files: ['api.ts', ...files],
        }),
      );
      const tsc = join(repoRoot, 'node_modules/.bin/tsc');
      const checked = await run(tsc, ['-p', project]).catch((error: { stdout: string }) => ({
        stdout: error.stdout,
      }));
      expect(checked.stdout.trim()).toBe('');
    }, 120_000);
  });
});
