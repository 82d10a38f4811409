// docs/cli.md is written from the CLI's own usage text (packages/rollout/src/cli/usage.ts), the text that
// `rollout --help` and `rollout help <command>` print, so the reference and the help cannot drift.
import { commandHelp, commandNames, USAGE } from '../../packages/rollout/src/cli/usage.js';

export const CLI_DOC = 'docs/cli.md';

/** The Markdown of docs/cli.md: the whole usage, then each command's own help. */
export function cliReference(): string {
  const fence = (text: string) => ['```text', text, '```'].join('\n');
  const sections = commandNames().map((name) => [`### ${name}`, '', fence(commandHelp(name))].join('\n'));
  return [
    '# CLI reference',
    '',
    '<!-- Written by `pnpm docs:cli` from packages/rollout/src/cli/usage.ts; a test fails when it is stale. -->',
    '',
    '`pnpm rollout …` in this repository; `rollout …` or `kubectl rollout-lab …` where the package is installed',
    '([the library and CLI](library.md) explains the semantics). Each block is what the CLI prints.',
    '',
    '## rollout --help',
    '',
    fence(USAGE),
    '',
    '## Commands',
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
}
