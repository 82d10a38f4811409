// rollout pause | resume <deployment> [--wait (resume)] [--dry-run=…]
import { type Command, positionals, UsageError } from './context.js';

export const pauseResumeCommand: Command = {
  names: ['pause', 'resume'],
  flags: { wait: { type: 'boolean' }, 'dry-run': { type: 'string' } },
  async run(ctx) {
    const { setPaused } = await import('../verbs/pause.js');
    const [name = ''] = positionals(ctx, 1, '<deployment>');
    const pausing = ctx.command === 'pause';
    if (pausing && ctx.wait)
      throw new UsageError('--wait goes with resume: a paused Deployment does not roll out');
    const target = ctx.target(name);
    const outcome = await setPaused(ctx.cluster(), target, pausing, { dryRun: ctx.dryRun });
    await ctx.report(outcome, pausing ? undefined : target);
  },
};
