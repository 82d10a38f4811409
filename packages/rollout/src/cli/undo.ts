// rollout undo <deployment> [--to-revision N] [--wait] [--dry-run=…]
import { type Command, MAX_REVISION, numberFlag, positionals, str } from './context.js';

export const undoCommand: Command = {
  names: ['undo'],
  flags: { 'to-revision': { type: 'string' }, wait: { type: 'boolean' }, 'dry-run': { type: 'string' } },
  async run(ctx, flags) {
    const { undo } = await import('../verbs/undo.js');
    const [name = ''] = positionals(ctx, 1, '<deployment>');
    const raw = str(flags, 'to-revision');
    const to = raw === undefined ? undefined : numberFlag('to-revision', raw, { min: 0, max: MAX_REVISION });
    const target = ctx.target(name);
    ctx.setInterrupted(
      `the rollback may already be in the cluster: \`rollout status ${name} -n ${target.namespace}\` shows it; undo --to-revision N again converges`,
    );
    await ctx.report(await undo(ctx.cluster(), target, to, { dryRun: ctx.dryRun }), target);
  },
};
