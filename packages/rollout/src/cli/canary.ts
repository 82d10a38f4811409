// rollout canary <stable> <canary> --weight P | promote <stable> <canary> | abort <stable> <canary>
import { type Command, numberFlag, positionals, str, UsageError } from './context.js';

export const canaryCommand: Command = {
  names: ['canary', 'promote', 'abort'],
  flags: { weight: { type: 'string' }, 'dry-run': { type: 'string' } },
  async run(ctx, flags) {
    const { abortCanary, checkPair, promoteCanary, setCanaryWeight } = await import(
      '../strategies/canary.js'
    );
    const [stable = '', canary = ''] = positionals(ctx, 2, '<stable> <canary>');
    checkPair({ namespace: '', stable, canary });
    if (ctx.command !== 'canary' && flags.weight !== undefined) {
      throw new UsageError(`--weight goes with canary, not ${ctx.command}`);
    }
    const weight =
      ctx.command === 'canary' ? numberFlag('weight', str(flags, 'weight'), { min: 0, max: 100 }) : undefined;
    const pair = { namespace: ctx.namespace, stable, canary };
    ctx.setInterrupted(
      `one of ${stable} and ${canary} may already be rescaled: \`rollout ${ctx.command} ${stable} ${canary}\` again converges`,
    );
    const options = { timeoutMs: ctx.timeoutMs, onProgress: ctx.progress, dryRun: ctx.dryRun };
    const cluster = ctx.cluster();
    const outcome =
      weight !== undefined
        ? await setCanaryWeight(cluster, pair, weight, options)
        : await (ctx.command === 'promote' ? promoteCanary : abortCanary)(cluster, pair, options);
    await ctx.report(outcome);
  },
};
