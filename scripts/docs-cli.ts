// pnpm docs:cli — write docs/cli.md from the CLI's usage text (scripts/lib/cli-docs.ts).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFlags } from './lib/args.js';
import { CLI_DOC, cliReference } from './lib/cli-docs.js';
import { repoRoot } from './lib/config.js';
import { info, main } from './lib/log.js';

const USAGE = `usage: pnpm docs:cli

Write ${CLI_DOC} from the rollout CLI's usage text (what \`rollout --help\` and \`rollout help <command>\`
print). scripts/test/cli-docs.test.ts fails when the file is stale.

  -h, --help    this text`;

await main(async () => {
  parseFlags('pnpm docs:cli', {}, USAGE);
  await writeFile(join(repoRoot, CLI_DOC), cliReference());
  info(`wrote ${CLI_DOC}`);
});
