import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../lib/config.js';

// Every relative link and #anchor in the Markdown a reader follows resolves: remark-validate-links (the
// unified collective's checker; headings slugged as GitHub does). Links to the web are not fetched.
const MARKDOWN = [
  'README.md',
  'README.ko.md',
  'CONTRIBUTING.md',
  'CHANGELOG.md',
  'docs',
  'examples',
  ...['traffic', 'report', 'service-kit', 'rollout'].map((name) => `packages/${name}/README.md`),
];
// remark resolves its plugins from its working directory: this package's, where both are installed.
const cwd = join(repoRoot, 'scripts');

describe('links in the READMEs, docs/ and examples/', () => {
  it('all resolve, files and headings', async () => {
    const run = await promisify(execFile)(
      join(cwd, 'node_modules/.bin/remark'),
      [
        '--use',
        'remark-validate-links=repository:false',
        '--quiet',
        '--no-stdout',
        '--no-color',
        ...MARKDOWN.map((path) => `../${path}`),
      ],
      { cwd },
    ).catch((error: { stderr: string }) => ({ stderr: error.stderr }));
    // --quiet leaves only files with a finding; each finding is a line naming the missing file or heading.
    expect(run.stderr.trim()).toBe('');
  }, 60_000);
});
