// rollout status <deployment> [--wait]: kubectl rollout status.
import { kubectlStatus } from '../print/kubectl.js';
import { type Command, positionals } from './context.js';

export const statusCommand: Command = {
  names: ['status'],
  flags: { wait: { type: 'boolean' } },
  async run(ctx) {
    const { waitForRollout } = await import('../verbs/status.js');
    const [name = ''] = positionals(ctx, 1, '<deployment>');
    const target = ctx.target(name);
    const d = await waitForRollout(ctx.cluster(), target, {
      timeoutMs: ctx.timeoutMs,
      onProgress: ctx.progress,
      untilOldPodsGone: ctx.wait,
    });
    await ctx.report({
      changed: false,
      message: `deployment ${JSON.stringify(d.metadata?.name)} successfully rolled out`,
      kubectl: [kubectlStatus(target)],
    });
  },
};
