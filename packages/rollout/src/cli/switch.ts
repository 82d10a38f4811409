// rollout switch <blue|green> [--service S] [--prefix P] [--image c=img] [--scale-down-after D] [--dry-run=…]

import { parseImageArgs } from '../resources/image-ref.js';
import { deploymentName } from '../resources/names.js';
import { checkColor, switchColor } from '../strategies/bluegreen.js';
import { type Command, durationFlag, positionals, str } from './context.js';

export const switchCommand: Command = {
  names: ['switch'],
  flags: {
    service: { type: 'string' },
    prefix: { type: 'string' },
    image: { type: 'string', multiple: true },
    cause: { type: 'string' },
    'scale-down-after': { type: 'string' },
    'dry-run': { type: 'string' },
  },
  async run(ctx, flags) {
    const [color = ''] = positionals(ctx, 1, '<blue|green>', { deployments: 0 });
    checkColor(color);
    const bg = {
      namespace: ctx.namespace,
      service: deploymentName(str(flags, 'service') ?? 'svc-myapp'),
      deploymentPrefix: deploymentName(str(flags, 'prefix') ?? 'deploy-myapp'),
    };
    const after = str(flags, 'scale-down-after');
    // Every flag before the cluster is asked anything.
    const options = {
      timeoutMs: ctx.timeoutMs,
      onProgress: ctx.progress,
      dryRun: ctx.dryRun,
      images: flags.image ? parseImageArgs(flags.image as string[]) : undefined,
      cause: str(flags, 'cause'),
      scaleDownAfterMs:
        after === undefined ? undefined : durationFlag('scale-down-after', after, { zero: 0 }),
    };
    ctx.setInterrupted(
      `the ${color} Deployment may be scaled up with the Service not yet switched: \`rollout switch ${color}\` again finishes the switch`,
    );
    await ctx.report(await switchColor(ctx.cluster(), bg, color, options));
  },
};
