// rollout scale <deployment> --replicas N [--wait] [--dry-run=…]
import { type Command, MAX_REPLICAS, numberFlag, positionals, str } from './context.js';

export const scaleCommand: Command = {
  names: ['scale'],
  flags: { replicas: { type: 'string' }, wait: { type: 'boolean' }, 'dry-run': { type: 'string' } },
  async run(ctx, flags) {
    const { scale } = await import('../verbs/scale.js');
    const [name = ''] = positionals(ctx, 1, '<deployment>');
    const replicas = numberFlag('replicas', str(flags, 'replicas'), { min: 0, max: MAX_REPLICAS });
    const target = ctx.target(name);
    ctx.setInterrupted('the new replica count may already be in the cluster; the same scale again converges');
    await ctx.report(await scale(ctx.cluster(), target, replicas, { dryRun: ctx.dryRun }), target);
  },
};
