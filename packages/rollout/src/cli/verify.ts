// rollout verify <deployment> (--image c=img … | --undo [--to-revision N] | --restart) --url URL …
import { writeFile } from 'node:fs/promises';
import { RolloutError } from '../errors.js';
import { parseImageArgs } from '../resources/image-ref.js';
import { deploymentName, namespaceName } from '../resources/names.js';
import type { VerifyChange } from '../strategies/verify.js';
import { type Command, type CommandContext, httpUrl, numberFlag, UsageError } from './context.js';

export interface VerifyFlags {
  image?: string[];
  undo?: boolean;
  restart?: boolean;
  'to-revision'?: string;
  cause?: string;
  url?: string;
  rate?: string;
  'min-requests'?: string;
  settle?: string;
  'keep-alive'?: boolean;
  report?: string;
  output?: string;
  'undo-on-failure'?: boolean;
}

/** Every flag is checked before the cluster is asked anything. */
export function parseVerify(ctx: Pick<CommandContext, 'args' | 'namespace'>, flags: VerifyFlags) {
  if (ctx.args.length !== 1) {
    throw new UsageError(
      ctx.args.length === 0
        ? 'verify needs <deployment>'
        : `verify takes one <deployment>, got ${ctx.args.length}: ${ctx.args.join(' ')}`,
    );
  }
  const chosen = [
    flags.image ? '--image' : '',
    flags.undo ? '--undo' : '',
    flags.restart ? '--restart' : '',
  ].filter(Boolean);
  if (chosen.length !== 1) {
    throw new UsageError(
      `verify needs exactly one change: --image c=img, --undo or --restart${chosen.length ? ` (got ${chosen.join(' and ')})` : ''}`,
    );
  }
  if (flags['to-revision'] !== undefined && !flags.undo)
    throw new UsageError('--to-revision goes with --undo');
  if (flags.cause !== undefined && !flags.image) throw new UsageError('--cause goes with --image');
  if (flags.output !== undefined && flags.output !== 'json') {
    throw new UsageError(`-o supports json, got ${JSON.stringify(flags.output)}`);
  }
  const change: VerifyChange = flags.image
    ? { kind: 'image', images: parseImageArgs(flags.image), ...(flags.cause ? { cause: flags.cause } : {}) }
    : flags.undo
      ? {
          kind: 'undo',
          ...(flags['to-revision'] === undefined
            ? {}
            : { toRevision: numberFlag('to-revision', flags['to-revision'], { min: 1, max: 2 ** 31 - 1 }) }),
        }
      : { kind: 'restart' };
  namespaceName(ctx.namespace);
  return {
    name: deploymentName(ctx.args[0] as string),
    change,
    url: httpUrl('url', flags.url),
    rate: numberFlag('rate', flags.rate ?? '50', { min: 1, max: 500 }),
    minRequests: numberFlag('min-requests', flags['min-requests'] ?? '1000', { min: 1, max: 1_000_000 }),
    settleMs: numberFlag('settle', flags.settle ?? '5', { min: 0, max: 600 }) * 1000,
    keepAlive: flags['keep-alive'] === true,
    report: flags.report,
    json: flags.output === 'json',
    undoOnFailure: flags['undo-on-failure'] === true,
  };
}

export const verifyCommand: Command = {
  names: ['verify'],
  flags: {
    image: { type: 'string', multiple: true },
    undo: { type: 'boolean' },
    restart: { type: 'boolean' },
    'to-revision': { type: 'string' },
    cause: { type: 'string' },
    url: { type: 'string' },
    rate: { type: 'string' },
    'min-requests': { type: 'string' },
    settle: { type: 'string' },
    'keep-alive': { type: 'boolean' },
    report: { type: 'string' },
    output: { type: 'string', short: 'o' },
    'undo-on-failure': { type: 'boolean' },
  },
  run: (ctx, flags) => runVerify(ctx, flags as VerifyFlags),
};

async function runVerify(ctx: CommandContext, flags: VerifyFlags): Promise<void> {
  const { verifyRollout } = await import('../strategies/verify.js');
  const { failureLines, renderHtmlReport, scenarioRecord, trafficVerdict } = await import(
    '@rollout-lab/report'
  );
  const { formatErrors, renderChart, summarize } = await import('@rollout-lab/traffic');
  const input = parseVerify(ctx, flags);
  const target = { namespace: ctx.namespace, name: input.name };
  const result = await verifyRollout(ctx.cluster(), target, input.change, {
    url: input.url,
    rate: input.rate,
    minRequests: input.minRequests,
    keepAlive: input.keepAlive,
    timeoutMs: ctx.timeoutMs,
    settleMs: input.settleMs,
    undoOnFailure: input.undoOnFailure,
    onProgress: ctx.progress,
    onChanged: () =>
      ctx.setInterrupted(
        `the change is in the cluster (${input.change.kind}); \`rollout status ${input.name} -n ${ctx.namespace}\` shows the rollout`,
      ),
  });
  const name = `verify ${input.name}: ${result.change.message}`;
  const chart = renderChart(result.records, { title: name });
  const scenario = scenarioRecord(name, result.records, {
    url: input.url,
    marks: result.marks,
    chart,
    facts: {
      url: input.url,
      change: result.change.message,
      ...(result.rolledBack ? { 'rolled back': result.rolledBack.message } : {}),
    },
  });
  const entry = trafficVerdict(scenario, input.minRequests);
  if (result.reasons.some((r) => r.startsWith('the rollout did not complete'))) {
    entry.verdict = 'failed';
    entry.reason = result.reasons.join('; ');
  }
  if (input.report) {
    await writeFile(
      input.report,
      renderHtmlReport({ title: `rollout verify ${input.name}`, generatedAt: new Date(), entries: [entry] }),
    );
    ctx.progress(`report: ${input.report}`);
  }
  if (input.json) {
    console.log(
      JSON.stringify(
        { passed: result.passed, reasons: result.reasons, failures: failureLines(scenario), scenario },
        null,
        2,
      ),
    );
  } else {
    const s = summarize(result.records);
    console.log(chart);
    console.log(
      `${s.requests} requests at ${s.achievedRate.toFixed(1)}/s, failed ${s.failed} (${formatErrors(s.errors)}), ` +
        `versions ${JSON.stringify(s.versions)}, ${Object.keys(s.pods).length} pods, latency p99 ${s.latencyMs.p99.toFixed(0)} ms`,
    );
    for (const line of failureLines(scenario)) console.log(`  failed: ${line}`);
    if (result.rolledBack) console.log(`undo on failure: ${result.rolledBack.message}`);
    console.log(
      result.passed
        ? `verified: ${input.name} rolled out with ${s.requests} requests, 0 failed`
        : 'not verified',
    );
  }
  if (!result.passed) throw new RolloutError(`verify failed: ${result.reasons.join('; ')}`);
}
