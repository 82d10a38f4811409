// rollout plan run <file> | plan status|resume|abort|promote <stable>: canary plans (issue 13).
import { deploymentName } from '../resources/names.js';
import { type Command, outputFormat, positionals, UsageError } from './context.js';
import { readBoundedText } from './files.js';

export const planCommand: Command = {
  names: ['plan'],
  flags: { output: { type: 'string', short: 'o' } },
  async run(ctx, flags) {
    const { formatOutput } = await import('../print/output.js');
    const { abortPlan, describeStep, planStatus, promotePlan, resumePlan, runPlan } = await import(
      '../strategies/plan.js'
    );
    const { MAX_PLAN_BYTES, parsePlan } = await import('../strategies/plan-schema.js');
    const [sub = '', arg = ''] = positionals(ctx, 2, '<run|status|resume|abort|promote> <file|stable>', {
      deployments: 0,
    });
    const format = outputFormat(flags.output);
    if (format && sub !== 'status') throw new UsageError(`-o goes with plan status, not plan ${sub}`);
    const wait = { timeoutMs: ctx.timeoutMs, onProgress: ctx.progress, onClaim: ctx.onInterrupt };
    if (sub === 'run') {
      const text = readBoundedText(arg, MAX_PLAN_BYTES, 'a CanaryPlan');
      const plan = parsePlan(text);
      ctx.setInterrupted(
        `the plan stopped at its current step on ${plan.stable} (rollout plan status ${plan.stable}); \`rollout plan run ${arg}\` again continues from it`,
      );
      ctx.out((await runPlan(ctx.cluster(), ctx.namespace, plan, wait)).message);
      return;
    }
    if (!['status', 'resume', 'abort', 'promote'].includes(sub)) {
      throw new UsageError(`plan takes run, status, resume, abort or promote, got ${JSON.stringify(sub)}`);
    }
    const stable = { namespace: ctx.namespace, name: deploymentName(arg) };
    const cluster = ctx.cluster();
    if (sub === 'status') {
      const state = await planStatus(cluster, stable);
      if (format) return void process.stdout.write(formatOutput(format, state ?? null));
      if (!state) return ctx.out(`no plan has run on ${stable.name}`);
      const steps = state.plan.steps.map(
        (s, i) => `${i === state.step ? '→' : ' '} ${i}: ${describeStep(s)}`,
      );
      ctx.out(
        [
          `plan on ${stable.name} (canary ${state.plan.canary}): ${state.phase}, step ${state.step} of ${state.plan.steps.length}`,
          ...steps,
        ].join('\n'),
      );
      if (state.message) ctx.out(state.message);
      return;
    }
    ctx.setInterrupted(
      `the plan on ${stable.name} stopped at its current step: rollout plan status ${stable.name} shows it`,
    );
    const result =
      sub === 'resume'
        ? await resumePlan(cluster, stable, wait)
        : sub === 'abort'
          ? await abortPlan(cluster, stable, wait)
          : await promotePlan(cluster, stable, wait);
    ctx.out(result.message);
  },
};
