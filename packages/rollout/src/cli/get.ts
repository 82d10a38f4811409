// rollout get <deployment> [--watch [--until-complete]] [--url URL]: where a rollout stands, live.
import type { RequestRecord, SamplerProcess } from '@rollout-lab/traffic';
import { RolloutError, TimeoutError } from '../errors.js';
import { deploymentName, namespaceName } from '../resources/names.js';
import type { Snapshot } from '../verbs/snapshot.js';
import {
  type Command,
  type CommandContext,
  httpUrl,
  MAX_WAIT_MS,
  numberFlag,
  UsageError,
} from './context.js';

export interface GetFlags {
  watch?: boolean;
  'until-complete'?: boolean;
  url?: string;
  rate?: string;
  'keep-alive'?: boolean;
  output?: string;
}

/** The version mix of the answers started in the last `windowMs`: "v1 60 %, v2 40 %". */
export function recentMix(records: readonly RequestRecord[], nowMs: number, windowMs = 5000): string {
  const recent = records.filter((r) => r.startedAt >= nowMs - windowMs);
  if (recent.length === 0) return 'no requests yet';
  const counts = new Map<string, number>();
  let failed = 0;
  for (const r of recent) {
    if (r.error) failed++;
    else counts.set(r.version ?? '?', (counts.get(r.version ?? '?') ?? 0) + 1);
  }
  const shares = [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([v, c]) => `${v} ${Math.round((c / recent.length) * 100)} %`);
  return `${shares.join(', ') || 'no answers'}; failed ${failed} of ${recent.length}`;
}

export const getCommand: Command = {
  names: ['get'],
  flags: {
    watch: { type: 'boolean' },
    'until-complete': { type: 'boolean' },
    url: { type: 'string' },
    rate: { type: 'string' },
    'keep-alive': { type: 'boolean' },
    output: { type: 'string', short: 'o' },
  },
  run: (ctx, flags) => runGet(ctx, flags as GetFlags),
};

async function runGet(ctx: CommandContext, flags: GetFlags): Promise<void> {
  // Not `await import('@kubernetes/client-node')`: a dynamic import of the client's index keeps every
  // API group of it in the bundle (its namespace object), 4.2 MB that each cluster command then loads.
  const { formatOutput } = await import('../print/output.js');
  const { formatSnapshot, snapshot } = await import('../verbs/snapshot.js');
  const { startSamplerProcess } = await import('@rollout-lab/traffic');
  // Ctrl-C ends the live view; nothing was written.
  ctx.ownInterrupt();
  if (ctx.args.length !== 1) {
    throw new UsageError(
      ctx.args.length ? `get takes one <deployment>, got ${ctx.args.join(' ')}` : 'get needs <deployment>',
    );
  }
  if (flags['until-complete'] && !flags.watch) throw new UsageError('--until-complete goes with --watch');
  if (flags.output !== undefined && flags.output !== 'json' && flags.output !== 'yaml') {
    throw new UsageError(`-o supports json and yaml, got ${JSON.stringify(flags.output)}`);
  }
  if (flags.output && flags.watch)
    throw new UsageError(`-o ${flags.output} prints one snapshot; leave out --watch`);
  const url = flags.url === undefined ? undefined : httpUrl('url', flags.url);
  if (url && !flags.watch) throw new UsageError('--url goes with --watch');
  const rate = numberFlag('rate', flags.rate ?? '20', { min: 1, max: 500 });
  const target = { namespace: namespaceName(ctx.namespace), name: deploymentName(ctx.args[0] as string) };
  const cluster = ctx.cluster();

  const first = await snapshot(cluster, target);
  if (!flags.watch) {
    if (flags.output === 'yaml' || flags.output === 'json')
      process.stdout.write(formatOutput(flags.output, first));
    else console.log(formatSnapshot(first));
    return;
  }

  const sampler: SamplerProcess | undefined = url
    ? startSamplerProcess({
        url,
        rate,
        durationMs: Math.min(ctx.timeoutMs + 60_000, MAX_WAIT_MS),
        keepAlive: flags['keep-alive'] === true,
        classifier: 'any',
      })
    : undefined;
  await sampler?.started;
  const tty = process.stdout.isTTY === true;
  const started = Date.now();
  let drawnLines = 0;
  let last = '';
  const view = (s: Snapshot) => {
    const lines = [formatSnapshot(s)];
    if (sampler) lines.push(`  traffic ${url} (last 5 s): ${recentMix(sampler.records, sampler.elapsed())}`);
    return lines.join('\n');
  };
  const draw = (s: Snapshot) => {
    const text = view(s);
    if (tty) {
      // Redraw in place: up to the first line of the last frame, clear to the end, write.
      if (drawnLines) process.stdout.write(`\x1b[${drawnLines}A\x1b[J`);
      process.stdout.write(`${text}\n`);
      drawnLines = text.split('\n').length;
    } else if (text !== last) {
      // Without a terminal: a new block only when something changed, stamped with the time.
      console.log(`--- ${((Date.now() - started) / 1000).toFixed(1)} s\n${text}`);
    }
    last = text;
  };
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  try {
    let current = first;
    for (;;) {
      draw(current);
      if (flags['until-complete'] && current.complete) break;
      if (flags['until-complete'] && current.failed)
        throw new RolloutError(`${current.name}: ${current.status}`);
      if (stopped) break;
      if (Date.now() - started > ctx.timeoutMs) {
        if (flags['until-complete'])
          throw new TimeoutError(`timed out after ${ctx.timeoutMs / 1000} s: ${current.status}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      current = await snapshot(cluster, target);
    }
  } finally {
    process.off('SIGINT', stop);
    const result = await sampler?.stop();
    if (result) {
      const failed = result.records.filter((r) => r.error).length;
      console.log(`traffic: ${result.records.length} requests, ${failed} failed`);
    }
  }
}
