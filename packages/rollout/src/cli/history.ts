// rollout history <deployment> [--revision N] [--wide] [-o json|yaml]
import { RolloutError } from '../errors.js';
import { formatHistory } from '../print/history.js';
import { kubectlHistory } from '../print/kubectl.js';
import { type Command, MAX_REVISION, numberFlag, outputFormat, positionals, str } from './context.js';

export const historyCommand: Command = {
  names: ['history'],
  flags: { revision: { type: 'string' }, wide: { type: 'boolean' }, output: { type: 'string', short: 'o' } },
  async run(ctx, flags) {
    const { formatOutput } = await import('../print/output.js');
    const { history } = await import('../verbs/history.js');
    const [name = ''] = positionals(ctx, 1, '<deployment>');
    const format = outputFormat(flags.output);
    const raw = str(flags, 'revision');
    const wanted = raw === undefined ? undefined : numberFlag('revision', raw, { min: 1, max: MAX_REVISION });
    const target = ctx.target(name);
    const rows = await history(ctx.cluster(), target);
    if (format) {
      process.stdout.write(
        formatOutput(format, wanted === undefined ? rows : rows.filter((r) => r.revision === wanted)),
      );
      return;
    }
    if (wanted !== undefined) {
      const row = rows.find((r) => r.revision === wanted);
      if (!row) {
        throw new RolloutError(
          `revision ${wanted} not found; known: ${rows.map((r) => r.revision).join(', ') || 'none'}`,
        );
      }
      ctx.out(`deployment.apps/${name} with revision #${wanted}`);
      ctx.out(JSON.stringify(row, null, 2));
      return;
    }
    await ctx.report({
      changed: false,
      message: formatHistory(name, rows, flags.wide === true),
      kubectl: [kubectlHistory(target)],
    });
  },
};
