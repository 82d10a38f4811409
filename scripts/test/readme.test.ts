import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../lib/config.js';

// The READMEs' commands are the product's front door: every one must exist, and the Korean walkthrough
// must give exactly the commands of the English one.
const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
/** The Markdown whose commands a reader types: the READMEs, every docs/ page, the contributing guide. */
const DOCUMENTS = [
  'README.md',
  'README.ko.md',
  'CONTRIBUTING.md',
  'examples/README.md',
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Command lines of the fenced `sh` blocks (comments dropped), optionally only within one `## ` section. */
function commands(markdown: string, section?: string): string[] {
  let text = markdown;
  if (section) {
    const start = markdown.indexOf(`\n## ${section}\n`);
    if (start < 0) throw new Error(`no section "## ${section}"`);
    const end = markdown.indexOf('\n## ', start + 1);
    text = markdown.slice(start, end < 0 ? undefined : end);
  }
  const lines: string[] = [];
  for (const block of text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    for (const line of (block[1] ?? '').split('\n')) {
      // `a && b` is two commands, each of which must exist.
      for (const part of line.replace(/\s+#.*$/, '').split(' && ')) {
        const command = part.trim();
        if (command) lines.push(command);
      }
    }
  }
  return lines;
}

const rootScripts = Object.keys(JSON.parse(read('package.json')).scripts as Record<string, string>);
const usage = /const USAGE = `([\s\S]*?)`;/.exec(read('packages/rollout/src/cli/usage.ts'))?.[1] ?? '';
const cliCommands = new Set(
  (/commands:\n([\s\S]*?)\n\n/.exec(usage)?.[1] ?? '')
    .split('\n')
    .flatMap((line) => (/^ {2}([a-z-]+(?: \| [a-z-]+)*)/.exec(line)?.[1] ?? '').split(' | '))
    .filter(Boolean),
);
const PNPM_BUILTINS = new Set(['install', 'exec', '--filter', '--dir']);

/** Why a command line does not exist here, or undefined when it does. */
function missing(line: string): string | undefined {
  // `source <(command)`: the command inside is what must exist.
  const sub = /^source <\((.*)\)$/.exec(line)?.[1];
  if (sub) return missing(sub);
  // pnpm's own output switches say nothing about the script.
  const words = line.split(/\s+/).filter((w) => w !== '--silent');
  const [tool, first, second] = words;
  if (tool === 'pnpm') {
    if (!first) return 'pnpm without a script';
    if (first === 'rollout') {
      if (!second || !cliCommands.has(second)) return `rollout has no command "${second}"`;
      const flags = words.filter((w) => w.startsWith('--')).map((w) => w.split('=')[0] as string);
      const unknown = flags.filter((f) => !usage.includes(f));
      return unknown.length ? `rollout has no flag ${unknown.join(', ')}` : undefined;
    }
    return rootScripts.includes(first) || PNPM_BUILTINS.has(first) ? undefined : `no root script "${first}"`;
  }
  if (tool === 'kubectl' && first === 'rollout-lab') {
    return second && cliCommands.has(second) ? undefined : `the kubectl plugin has no command "${second}"`;
  }
  if (tool === 'ln') {
    // Linking a built file: its source must exist (dist/x.js and bundle/x.mjs are built from src/x.ts).
    const built = words
      .find((w) => /\/(dist|bundle)\//.test(w))
      ?.replace(/^"?\$PWD\//, '')
      .replace(/"$/, '');
    const source = built?.replace(/\/(dist|bundle)\//, '/src/').replace(/\.m?js$/, '.ts');
    return source && existsSync(join(repoRoot, source)) ? undefined : `ln of no built file: ${line}`;
  }
  if (tool === 'kubectl') {
    const k = words.indexOf('-k');
    const dir = k >= 0 ? words[k + 1] : undefined;
    return dir && !existsSync(join(repoRoot, dir, 'kustomization.yaml'))
      ? `no kustomization in ${dir}`
      : undefined;
  }
  if (tool === 'source' || tool === 'bash')
    return existsSync(join(repoRoot, first ?? '')) ? undefined : `no file ${first}`;
  if (tool === 'export' || tool === 'npm' || tool === 'docker') return undefined;
  return `unknown tool "${tool}"`;
}

describe('commands in the READMEs and docs/', () => {
  it('reads the CLI commands from its usage text', () => {
    expect([...cliCommands]).toEqual(
      expect.arrayContaining([
        'status',
        'set-image',
        'history',
        'undo',
        'pause',
        'resume',
        'restart',
        'switch',
      ]),
    );
  });

  it.each(DOCUMENTS)('every command in %s exists as a script, CLI command or path', (file) => {
    const lines = commands(read(file));
    expect(lines.map((l) => [l, missing(l)]).filter(([, why]) => why)).toEqual([]);
  });

  it('the READMEs and the seed pages give commands at all (the check above is not empty)', () => {
    for (const file of ['README.md', 'README.ko.md', 'docs/seed.md', 'docs/seed.ko.md'])
      expect(commands(read(file)).length, file).toBeGreaterThan(5);
  });

  it('the Korean walkthrough gives exactly the English one’s commands, in order; so do the READMEs', () => {
    const english = commands(read('docs/seed.md'));
    expect(english.length).toBeGreaterThan(10);
    expect(commands(read('docs/seed.ko.md'))).toEqual(english);
    expect(commands(read('README.ko.md'))).toEqual(commands(read('README.md')));
  });

  it('each English page links to its Korean one and back', () => {
    expect(read('README.md')).toContain('](README.ko.md)');
    expect(read('README.ko.md')).toContain('](README.md)');
    expect(read('docs/seed.md')).toContain('](seed.ko.md)');
    expect(read('docs/seed.ko.md')).toContain('](seed.md)');
  });

  it.each(['README.md', 'README.ko.md'])('%s is read in five minutes: at most 200 lines', (file) => {
    expect(read(file).split('\n').length).toBeLessThanOrEqual(200);
  });

  it('catches what does not exist', () => {
    expect(missing('pnpm rollout deploy myapp')).toBe('rollout has no command "deploy"');
    expect(missing('pnpm rollout undo deploy-myapp --to-revison 1')).toBe('rollout has no flag --to-revison');
    expect(missing('pnpm tutorials')).toBe('no root script "tutorials"');
    expect(missing('kubectl apply -k k8s/overlays/nope')).toBe('no kustomization in k8s/overlays/nope');
  });
});
