// Runs a CanaryPlan step by step. Where it stands is kept on the stable Deployment (annotations, which
// do not bump its generation), so `rollout plan status` shows it and a run interrupted by Ctrl-C or a
// crash continues from the recorded step.
import type { V1Deployment } from '@kubernetes/client-node';
import type { Cluster } from '../api/client.js';
import { getDeployment } from '../api/read.js';
import { patchIfUnchanged, withConflictRetry } from '../api/write.js';
import { InvalidInputError, RolloutError } from '../errors.js';
import { describe, type Target } from '../resources/objects.js';
import { imageArgs, setImage } from '../verbs/set-image.js';
import { type WaitOptions, waitForRollout } from '../verbs/status.js';
import { abortCanary, promoteCanary, setCanaryWeight } from './canary.js';
import { analyse } from './plan-analysis.js';
import type { CanaryPlan, PlanAnalysis, PlanStep } from './plan-schema.js';

const PLAN = 'rollout-lab.dev/plan';
const STEP = 'rollout-lab.dev/plan-step';
const PHASE = 'rollout-lab.dev/plan-phase';
const MESSAGE = 'rollout-lab.dev/plan-message';

export type PlanPhase = 'running' | 'paused' | 'aborted' | 'promoted';

export interface PlanState {
  plan: CanaryPlan;
  /** The step to run next (steps.length when all ran). */
  step: number;
  phase: PlanPhase;
  message?: string;
}

/** The state recorded on the stable Deployment, if any. */
export function stateOf(d: V1Deployment): PlanState | undefined {
  const a = d.metadata?.annotations ?? {};
  if (!a[PLAN]) return undefined;
  try {
    return {
      plan: JSON.parse(a[PLAN]) as CanaryPlan,
      step: Number(a[STEP] ?? 0),
      phase: (a[PHASE] ?? 'running') as PlanPhase,
      ...(a[MESSAGE] ? { message: a[MESSAGE] } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Records the state: a metadata-only write (no new generation), onto the version read. */
async function record(cluster: Cluster, target: Target, state: PlanState): Promise<void> {
  const annotations = {
    [PLAN]: JSON.stringify(state.plan),
    [STEP]: String(state.step),
    [PHASE]: state.phase,
    [MESSAGE]: state.message ?? null,
  };
  await withConflictRetry(describe(target), async () => {
    const d = await getDeployment(cluster, target);
    await patchIfUnchanged(cluster, target, d, { type: 'strategic', body: { metadata: { annotations } } });
  });
}

export const describeStep = (step: PlanStep): string =>
  'setWeight' in step
    ? `setWeight ${step.setWeight}`
    : 'pause' in step
      ? step.pause.durationMs === undefined
        ? 'pause (until resumed)'
        : `pause ${step.pause.durationMs / 1000} s`
      : `analysis ${step.analysis.durationMs / 1000} s`;

export interface PlanOptions extends WaitOptions {
  /** Called as each step starts (progress, and the e2e test's marks). */
  onStep?: (index: number, step: PlanStep) => void;
}

export interface PlanResult {
  phase: PlanPhase;
  /** The step it stopped at (paused) or steps.length. */
  step: number;
  message: string;
}

/** `rollout plan run FILE`: starts the plan, or continues one interrupted while running. */
export async function runPlan(
  cluster: Cluster,
  namespace: string,
  plan: CanaryPlan,
  options: PlanOptions = {},
): Promise<PlanResult> {
  const stable: Target = { namespace, name: plan.stable };
  const state = stateOf(await getDeployment(cluster, stable));
  if (state && (state.phase === 'running' || state.phase === 'paused')) {
    if (JSON.stringify(state.plan) !== JSON.stringify(plan)) {
      throw new InvalidInputError(
        `another plan is in progress on ${plan.stable} (step ${state.step}, ${state.phase}); rollout plan abort ${plan.stable} first`,
      );
    }
    if (state.phase === 'paused') {
      throw new InvalidInputError(
        `the plan is paused at step ${state.step}; rollout plan resume ${plan.stable} -n ${namespace}`,
      );
    }
    options.onProgress?.(
      `continuing the plan from step ${state.step} (${describeStep(plan.steps[state.step] ?? { setWeight: 100 })})`,
    );
    return continuePlan(cluster, namespace, state, options);
  }
  const canary: Target = { namespace, name: plan.canary };
  await setImage(cluster, canary, plan.image, {
    cause: `canary plan: ${imageArgs(plan.image)}`,
  });
  // The steps judge the new image: none of the canary's old pods may answer in their windows.
  await waitForRollout(cluster, canary, {
    timeoutMs: options.timeoutMs,
    onProgress: options.onProgress,
    untilOldPodsGone: true,
  });
  const fresh: PlanState = { plan, step: 0, phase: 'running' };
  await record(cluster, stable, fresh);
  return continuePlan(cluster, namespace, fresh, options);
}

async function continuePlan(
  cluster: Cluster,
  namespace: string,
  state: PlanState,
  options: PlanOptions,
): Promise<PlanResult> {
  const { plan } = state;
  const stable: Target = { namespace, name: plan.stable };
  const pair = { namespace, stable: plan.stable, canary: plan.canary };
  const wait = { timeoutMs: options.timeoutMs, onProgress: options.onProgress };
  for (let i = state.step; i < plan.steps.length; i++) {
    const step = plan.steps[i] as PlanStep;
    await record(cluster, stable, { plan, step: i, phase: 'running' });
    options.onStep?.(i, step);
    options.onProgress?.(`step ${i}: ${describeStep(step)}`);
    if ('setWeight' in step) {
      await setCanaryWeight(cluster, pair, step.setWeight, wait);
    } else if ('pause' in step) {
      if (step.pause.durationMs === undefined) {
        const message = `paused at step ${i}; rollout plan resume ${plan.stable} -n ${namespace} goes on`;
        await record(cluster, stable, { plan, step: i + 1, phase: 'paused', message });
        return { phase: 'paused', step: i + 1, message };
      }
      await new Promise((resolve) => setTimeout(resolve, step.pause.durationMs));
    } else {
      const verdict = await analyse(
        plan.analysis as PlanAnalysis,
        step.analysis.durationMs,
        `${plan.canary}-`,
      );
      options.onProgress?.(`analysis: ${verdict.summary}`);
      if (!verdict.passed) {
        const message = `aborted at step ${i}: analysis failed: ${verdict.reasons.join('; ')}; ${plan.stable} has every replica back`;
        await conclude(cluster, stable, plan, { phase: 'aborted', step: i, message }, () =>
          abortCanary(cluster, pair, wait),
        );
        throw new RolloutError(message);
      }
    }
  }
  const message = `promoted: ${plan.stable} runs ${Object.values(plan.image).join(' ')} on every replica, ${plan.canary} 0`;
  return conclude(cluster, stable, plan, { phase: 'promoted', step: plan.steps.length, message }, () =>
    promoteCanary(cluster, pair, wait),
  );
}

/** Ends the plan: the canary's last act first, then the record of how it ended. */
async function conclude(
  cluster: Cluster,
  stable: Target,
  plan: CanaryPlan,
  end: PlanResult,
  act: () => Promise<unknown>,
): Promise<PlanResult> {
  await act();
  await record(cluster, stable, { plan, ...end });
  return end;
}

async function activeState(cluster: Cluster, stable: Target, verb: string): Promise<PlanState> {
  const state = stateOf(await getDeployment(cluster, stable));
  if (!state || (state.phase !== 'running' && state.phase !== 'paused')) {
    throw new RolloutError(
      `no plan in progress on ${describe(stable)} (${state ? state.phase : 'none ran'}); nothing to ${verb}`,
    );
  }
  return state;
}

/** `rollout plan status STABLE`. */
export async function planStatus(cluster: Cluster, stable: Target): Promise<PlanState | undefined> {
  return stateOf(await getDeployment(cluster, stable));
}

/** `rollout plan resume STABLE`: a paused plan goes on from the step after its pause. */
export async function resumePlan(
  cluster: Cluster,
  stable: Target,
  options: PlanOptions = {},
): Promise<PlanResult> {
  const state = await activeState(cluster, stable, 'resume');
  if (state.phase !== 'paused') {
    throw new RolloutError(
      `the plan on ${stable.name} is running, not paused (step ${state.step}); rollout plan run FILE continues an interrupted run`,
    );
  }
  return continuePlan(cluster, stable.namespace, { ...state, phase: 'running' }, options);
}

/** `rollout plan abort STABLE`: canary to 0, stable back to every replica. */
export function abortPlan(cluster: Cluster, stable: Target, options: WaitOptions = {}): Promise<PlanResult> {
  return endByHand(cluster, stable, 'abort', options);
}

/** `rollout plan promote STABLE`: skip the remaining steps and promote now. */
export function promotePlan(
  cluster: Cluster,
  stable: Target,
  options: WaitOptions = {},
): Promise<PlanResult> {
  return endByHand(cluster, stable, 'promote', options);
}

/** How each by-hand verb ends a plan: the canary operation, and the result it records. */
const BY_HAND = {
  abort: {
    act: abortCanary,
    end: (state: PlanState, stable: Target): PlanResult => ({
      phase: 'aborted',
      step: state.step,
      message: `aborted at step ${state.step} by hand; ${stable.name} has every replica back`,
    }),
  },
  promote: {
    act: promoteCanary,
    end: (state: PlanState): PlanResult => ({
      phase: 'promoted',
      step: state.plan.steps.length,
      message: `promoted at step ${state.step} by hand`,
    }),
  },
} as const;

/** Ends an active plan now, the canary's way for the verb, and records how it ended. */
async function endByHand(
  cluster: Cluster,
  stable: Target,
  verb: keyof typeof BY_HAND,
  options: WaitOptions,
): Promise<PlanResult> {
  const state = await activeState(cluster, stable, verb);
  const pair = { namespace: stable.namespace, stable: stable.name, canary: state.plan.canary };
  const { act, end } = BY_HAND[verb];
  return conclude(cluster, stable, state.plan, end(state, stable), () => act(cluster, pair, options));
}
