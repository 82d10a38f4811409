// rollout completion bash: a completion script built from the usage text and the flags.
import { type Command, positionals, UsageError } from './context.js';

export function bashCompletion(commands: readonly string[], flags: readonly string[]): string {
  return [
    '# bash completion for rollout (and kubectl-rollout_lab): source <(rollout completion bash)',
    '_rollout() {',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's own ${…}, not a template
    '  local cur="${COMP_WORDS[COMP_CWORD]}"',
    '  if [ "$COMP_CWORD" -eq 1 ]; then',
    `    COMPREPLY=($(compgen -W "${commands.join(' ')}" -- "$cur"))`,
    '  elif [[ "$cur" == -* ]]; then',
    `    COMPREPLY=($(compgen -W "${flags.join(' ')}" -- "$cur"))`,
    '  fi',
    '}',
    'complete -F _rollout rollout kubectl-rollout_lab',
  ].join('\n');
}

/** The script needs every command's names and flags: the CLI hands them in. */
export const completionCommand = (
  commands: () => readonly string[],
  flags: () => readonly string[],
): Command => ({
  names: ['completion'],
  cluster: false,
  flags: {},
  async run(ctx) {
    const [shell] = positionals(ctx, 1, 'bash', { deployments: 0 });
    if (shell !== 'bash') throw new UsageError('completion supports bash: rollout completion bash');
    ctx.out(bashCompletion(commands(), flags()));
  },
});
