// rollout switch <blue|green> [--no-promote] | promote-switch | abort-switch: blue/green, with a gate.
import { parseImageArgs } from '../resources/image-ref.js';
import { deploymentName } from '../resources/names.js';
import {
  type Command,
  type CommandContext,
  durationFlag,
  type Flags,
  httpUrl,
  numberFlag,
  positionals,
  str,
  UsageError,
} from './context.js';

/** A flag that only some of the three commands (or only with --no-promote) take. */
function only(flags: Flags, name: string, allowed: boolean, where: string): void {
  if (flags[name] !== undefined && !allowed) throw new UsageError(`--${name} goes with ${where}`);
}

function analysisFlags(flags: Flags, urlFlag: 'preview-url' | 'url') {
  const raw = str(flags, urlFlag);
  if (raw === undefined) {
    if (flags.analysis !== undefined || flags.rate !== undefined)
      throw new UsageError(`--analysis and --rate need --${urlFlag}`);
    return undefined;
  }
  return {
    url: httpUrl(urlFlag, raw),
    durationMs: durationFlag('analysis', str(flags, 'analysis') ?? '10s'),
    rate: numberFlag('rate', str(flags, 'rate') ?? '20', { min: 1, max: 500 }),
  };
}

export const switchCommand: Command = {
  names: ['switch', 'promote-switch', 'abort-switch'],
  flags: {
    service: { type: 'string' },
    'preview-service': { type: 'string' },
    prefix: { type: 'string' },
    image: { type: 'string', multiple: true },
    cause: { type: 'string' },
    'scale-down-after': { type: 'string' },
    'no-promote': { type: 'boolean' },
    unverified: { type: 'boolean' },
    'preview-url': { type: 'string' },
    url: { type: 'string' },
    analysis: { type: 'string' },
    rate: { type: 'string' },
    'dry-run': { type: 'string' },
  },
  async run(ctx, flags) {
    const bluegreen = await import('../strategies/bluegreen.js');
    const checkColor: typeof bluegreen.checkColor = bluegreen.checkColor;
    const { switchColor } = bluegreen;
    const { abortStaged, promoteStaged, stageColor } = await import('../strategies/bluegreen-preview.js');
    const command = ctx.command;
    const staging = command === 'switch' && flags['no-promote'] === true;
    only(flags, 'no-promote', command === 'switch', 'switch');
    only(flags, 'image', command === 'switch', 'switch');
    only(flags, 'cause', command === 'switch', 'switch');
    only(flags, 'preview-url', staging, 'switch --no-promote');
    only(flags, 'url', command === 'promote-switch', 'promote-switch');
    only(flags, 'unverified', command === 'promote-switch', 'promote-switch');
    only(flags, 'scale-down-after', !staging && command !== 'abort-switch', 'switch or promote-switch');
    const [color = ''] = positionals(
      ctx,
      command === 'switch' ? 1 : 0,
      command === 'switch' ? '<blue|green>' : 'no arguments',
      { deployments: 0 },
    );
    if (command === 'switch') checkColor(color);
    const after = str(flags, 'scale-down-after');
    const analysis =
      command === 'abort-switch' ? undefined : analysisFlags(flags, staging ? 'preview-url' : 'url');
    if (command === 'switch' && !staging && analysis)
      throw new UsageError('--analysis goes with --no-promote or promote-switch');
    // Every flag before the cluster is asked anything.
    const options = {
      timeoutMs: ctx.timeoutMs,
      onProgress: ctx.progress,
      dryRun: ctx.dryRun,
      images: flags.image ? parseImageArgs(flags.image as string[]) : undefined,
      cause: str(flags, 'cause'),
      scaleDownAfterMs:
        after === undefined ? undefined : durationFlag('scale-down-after', after, { zero: 0 }),
      analysis,
      unverified: flags.unverified === true,
      onClaim: ctx.onInterrupt,
    };
    const bg = blueGreen(ctx, flags);
    const cluster = ctx.cluster();
    if (command === 'promote-switch') {
      ctx.setInterrupted(
        `${bg.service} may already select the staged colour: \`rollout promote-switch\` again finishes it`,
      );
      return ctx.report(await promoteStaged(cluster, bg, options));
    }
    if (command === 'abort-switch') return ctx.report(await abortStaged(cluster, bg, options));
    if (staging) {
      ctx.setInterrupted(
        `${color} may be scaled up and behind the preview; ${bg.service} is not touched: \`rollout abort-switch\` scales it down`,
      );
      return ctx.report(await stageColor(cluster, bg, color, options));
    }
    ctx.setInterrupted(
      `the ${color} Deployment may be scaled up with the Service not yet switched: \`rollout switch ${color}\` again finishes the switch`,
    );
    await ctx.report(await switchColor(cluster, bg, color, options));
  },
};

function blueGreen(ctx: CommandContext, flags: Flags) {
  const service = deploymentName(str(flags, 'service') ?? 'svc-myapp');
  return {
    namespace: ctx.namespace,
    service,
    previewService: deploymentName(str(flags, 'preview-service') ?? `${service}-preview`),
    deploymentPrefix: deploymentName(str(flags, 'prefix') ?? 'deploy-myapp'),
  };
}
