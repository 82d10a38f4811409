// rollout restart <deployment> [--wait] [--dry-run=…]
import { type Command, positionals } from './context.js';

export const restartCommand: Command = {
  names: ['restart'],
  flags: { wait: { type: 'boolean' }, 'dry-run': { type: 'string' } },
  async run(ctx) {
    const { restart } = await import('../verbs/restart.js');
    const [name = ''] = positionals(ctx, 1, '<deployment>');
    const target = ctx.target(name);
    ctx.setInterrupted(
      `the restart may already be in the cluster: \`rollout status ${name} -n ${target.namespace}\` shows it`,
    );
    await ctx.report(await restart(ctx.cluster(), target, new Date(), { dryRun: ctx.dryRun }), target);
  },
};
