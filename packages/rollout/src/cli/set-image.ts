// rollout set-image <deployment> <container=image>... [--cause TEXT] [--wait | --auto-undo] [--dry-run=…]
import { RolloutError } from '../errors.js';
import { parseImageArgs } from '../resources/image-ref.js';
import { type Command, positionals, str, UsageError } from './context.js';

export const setImageCommand: Command = {
  names: ['set-image'],
  flags: {
    cause: { type: 'string' },
    wait: { type: 'boolean' },
    'auto-undo': { type: 'boolean' },
    'dry-run': { type: 'string' },
  },
  async run(ctx, flags) {
    const { setImageWithAutoUndo } = await import('../strategies/auto-undo.js');
    const { setImage } = await import('../verbs/set-image.js');
    const [name = '', ...pairs] = positionals(ctx, 2, '<deployment> <container=image>...', {
      more: true,
      deployments: 1,
    });
    const images = parseImageArgs(pairs);
    const cause = str(flags, 'cause');
    const options = { ...(cause ? { cause } : {}), ...(ctx.dryRun ? { dryRun: ctx.dryRun } : {}) };
    if (flags['auto-undo'] && ctx.dryRun)
      throw new UsageError('--auto-undo waits for a real rollout; leave out --dry-run');
    const target = ctx.target(name);
    ctx.setInterrupted(
      `the new template may already be in the cluster: \`rollout status ${name} -n ${target.namespace}\` shows the rollout; the same set-image again converges`,
    );
    if (flags['auto-undo']) {
      const guarded = await setImageWithAutoUndo(ctx.cluster(), target, images, {
        ...options,
        timeoutMs: ctx.timeoutMs,
        onProgress: ctx.progress,
      });
      await ctx.report(guarded.outcome);
      if (guarded.rolledBack) {
        const after = ((guarded.detectedAfterMs ?? 0) / 1000).toFixed(0);
        throw new RolloutError(`rolled back to the previous revision after ${after} s: ${guarded.reason}`);
      }
      ctx.out(`deployment ${JSON.stringify(name)} successfully rolled out; no old pods left`);
      return;
    }
    await ctx.report(await setImage(ctx.cluster(), target, images, options), target);
  },
};
