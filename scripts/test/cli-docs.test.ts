import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandNames } from '../../packages/rollout/src/cli/usage.js';
import { CLI_DOC, cliReference } from '../lib/cli-docs.js';
import { repoRoot } from '../lib/config.js';

describe('docs/cli.md', () => {
  it('is what `pnpm docs:cli` writes from the usage text now (run it after changing a command)', () => {
    expect(readFileSync(join(repoRoot, CLI_DOC), 'utf8')).toBe(cliReference());
  });

  it('has a section for every command', () => {
    const doc = cliReference();
    expect(commandNames().length).toBeGreaterThan(15);
    for (const name of commandNames()) expect(doc).toContain(`\n### ${name}\n`);
  });
});
