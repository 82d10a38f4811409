// Runs a CanaryPlan step by step. Where it stands is kept on the stable Deployment (annotations, which
// do not bump its generation), so `rollout plan status` shows it and a run interrupted by Ctrl-C or a
// crash continues from the recorded step. The operator's word wins: one runner per pair (a Lease), and
// every write of a runner goes onto a stable Deployment whose recorded phase still says "running", so a
// `plan abort` or `plan promote` by hand stops it before its next write.
import type { V1Deployment } from '@kubernetes/client-node';
import type { Cluster } from '../api/client.js';
import { type Claim, claim } from '../api/lease.js';
import { getDeployment } from '../api/read.js';
import { patchIfUnchanged, type Seen, withConflictRetry } from '../api/write.js';
import { ChangedMeanwhileError, InvalidInputError, RolloutError } from '../errors.js';
import { describe, type Target } from '../resources/objects.js';
import { checkImageChange, imageArgs, setImage } from '../verbs/set-image.js';
import { type WaitOptions, waitForRollout } from '../verbs/status.js';
import { abortCanary, checkSplits, promoteCanary, setCanaryWeight } from './canary.js';
import { analyse } from './plan-analysis.js';
import type { CanaryPlan, PlanAnalysis, PlanStep } from './plan-schema.js';

const PLAN = 'rollout-lab.dev/plan';
const STEP = 'rollout-lab.dev/plan-step';
const PHASE = 'rollout-lab.dev/plan-phase';
const MESSAGE = 'rollout-lab.dev/plan-message';

/** `aborting` and `promoting`: an end decided and recorded, its writes under way. */
export type PlanPhase = 'running' | 'paused' | 'aborting' | 'promoting' | 'aborted' | 'promoted';

/** A running plan was ended by hand (`plan abort`) or lost its pair meanwhile: it wrote nothing after. */
export class PlanStoppedError extends RolloutError {}

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

/**
 * Records the state: a metadata-only write (no new generation), onto the version read, and only if
 * `guard` passes on that version.
 */
async function record(
  cluster: Cluster,
  target: Target,
  state: PlanState,
  guard?: Seen['guard'],
): Promise<void> {
  const annotations = {
    [PLAN]: JSON.stringify(state.plan),
    [STEP]: String(state.step),
    [PHASE]: state.phase,
    [MESSAGE]: state.message ?? null,
  };
  await withConflictRetry(describe(target), async () => {
    const d = await getDeployment(cluster, target);
    guard?.(d);
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
  /** The Lease's duration in seconds (api/lease.ts); tests shorten it. */
  leaseSeconds?: number;
  /** Given the way to give the Lease back early (the CLI calls it on Ctrl-C). */
  onClaim?: (release: () => Promise<void>) => void;
}

export interface PlanResult {
  phase: PlanPhase;
  /** The step it stopped at (paused) or steps.length. */
  step: number;
  message: string;
}

/** The Lease that makes one runner the owner of the pair whose stable side is `stable`. */
export const planLeaseName = (stable: string): string => `rollout-lab-plan-${stable}`.slice(0, 253);

const samePlan = (a: CanaryPlan, b: CanaryPlan) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A runner's guard on the stable Deployment at every read before a write: its plan is the one recorded,
 * in a phase this runner may write in, and the pair is still its own.
 */
function runnerGuard(plan: CanaryPlan, owner: Claim, phases: Set<PlanPhase>): (d: V1Deployment) => void {
  return (d) => {
    owner.check();
    const state = stateOf(d);
    if (!state || !samePlan(state.plan, plan)) {
      throw new PlanStoppedError(
        `the plan on ${plan.stable} was replaced meanwhile; this run stopped without writing more`,
      );
    }
    if (!phases.has(state.phase)) throw new EndedByHand(state);
  };
}

/** Thrown inside a runner when the recorded phase changed under it; turned into its result below. */
class EndedByHand extends ChangedMeanwhileError {
  constructor(readonly state: PlanState) {
    super(`the plan was ${state.phase} by hand`);
  }
}

/**
 * How a runner ends when a by-hand decision came first: a promotion is what it was after (exit 0), an
 * abort is not (PlanStoppedError, exit 1). Either way it wrote nothing after it saw the decision.
 */
function yieldTo(state: PlanState, stable: string): PlanResult {
  const how = state.message?.includes('by hand') ? ' by hand' : '';
  const tail = `at step ${state.step} meanwhile; this run stopped without writing more (rollout plan status ${stable})`;
  if (state.phase === 'promoting' || state.phase === 'promoted') {
    return { phase: state.phase, step: state.step, message: `the plan was promoted${how} ${tail}` };
  }
  if (state.phase === 'paused') throw new PlanStoppedError(`the plan was paused ${tail}`);
  throw new PlanStoppedError(`the plan was aborted${how} ${tail}`);
}

/**
 * Everything a plan needs of the live pair, before its first write: both Deployments, one Service
 * selecting both, every weight expressible with the pair's replicas, the plan's containers in the canary.
 */
async function checkPlan(cluster: Cluster, namespace: string, plan: CanaryPlan, from = 0): Promise<void> {
  const pair = { namespace, stable: plan.stable, canary: plan.canary };
  const weights = plan.steps.slice(from).flatMap((s) => ('setWeight' in s ? [s.setWeight] : []));
  const canary = await checkSplits(cluster, pair, weights);
  checkImageChange(canary, { namespace, name: plan.canary }, plan.image);
}

/** Takes the pair's Lease for this run, gives it back when `run` ends. */
async function owning<T>(
  cluster: Cluster,
  namespace: string,
  plan: CanaryPlan,
  options: PlanOptions,
  run: (owner: Claim) => Promise<T>,
): Promise<T> {
  const owner = await claim(
    cluster,
    namespace,
    planLeaseName(plan.stable),
    `the plan on ${plan.stable} (canary ${plan.canary})`,
    { durationS: options.leaseSeconds },
  );
  options.onClaim?.(() => owner.release());
  try {
    return await run(owner);
  } finally {
    await owner.release();
  }
}

const ACTIVE: readonly PlanPhase[] = ['running', 'paused', 'aborting', 'promoting'];

/**
 * What `plan run` does with the state recorded on the stable Deployment: start afresh (none, or an
 * ended plan) or continue the same plan interrupted while running; anything else is refused.
 */
function startOrContinue(
  state: PlanState | undefined,
  plan: CanaryPlan,
  namespace: string,
): 'start' | 'continue' {
  if (!state || !ACTIVE.includes(state.phase)) return 'start';
  if (!samePlan(state.plan, plan)) {
    throw new InvalidInputError(
      `another plan is in progress on ${plan.stable} (step ${state.step}, ${state.phase}); rollout plan abort ${plan.stable} first`,
    );
  }
  if (state.phase === 'paused') {
    throw new InvalidInputError(
      `the plan is paused at step ${state.step}; rollout plan resume ${plan.stable} -n ${namespace}`,
    );
  }
  if (state.phase !== 'running') {
    throw new InvalidInputError(
      `the plan is ${state.phase} by hand (step ${state.step}); rollout plan status ${plan.stable} -n ${namespace}`,
    );
  }
  return 'continue';
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
  const first = startOrContinue(state, plan, namespace);
  await checkPlan(cluster, namespace, plan, first === 'continue' ? (state?.step ?? 0) : 0);
  return owning(cluster, namespace, plan, options, async (owner) => {
    // Decided again under the Lease: a runner that held it until a moment ago may have moved on.
    const now = stateOf(await getDeployment(cluster, stable));
    if (startOrContinue(now, plan, namespace) === 'continue' && now) {
      options.onProgress?.(
        `continuing the plan from step ${now.step} (${describeStep(plan.steps[now.step] ?? { setWeight: 100 })})`,
      );
      return continuePlan(cluster, namespace, now, owner, options);
    }
    // The run being continued ended meanwhile (an abort or a promotion by hand): nothing to do.
    if (first === 'continue' && now) return yieldTo(now, plan.stable);
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
    owner.check();
    await record(cluster, stable, fresh);
    return continuePlan(cluster, namespace, fresh, owner, options);
  });
}

/** A timed pause that ends early, by throwing, when `check` does (a by-hand decision, a lost Lease). */
async function pauseWatching(ms: number, check: () => Promise<void>): Promise<void> {
  const end = Date.now() + ms;
  for (let left = ms; left > 0; left = end - Date.now()) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, 1000)));
    await check();
  }
}

async function continuePlan(
  cluster: Cluster,
  namespace: string,
  state: PlanState,
  owner: Claim,
  options: PlanOptions,
): Promise<PlanResult> {
  const { plan } = state;
  const stable: Target = { namespace, name: plan.stable };
  try {
    return await stepThrough(cluster, namespace, state, owner, options);
  } catch (error) {
    // A write refused because the record changed: if a by-hand decision did it, say so.
    if (error instanceof EndedByHand) return yieldTo(error.state, plan.stable);
    if (error instanceof ChangedMeanwhileError) {
      const now = stateOf(await getDeployment(cluster, stable));
      if (now && samePlan(now.plan, plan) && now.phase !== 'running') return yieldTo(now, plan.stable);
    }
    throw error;
  }
}

async function stepThrough(
  cluster: Cluster,
  namespace: string,
  state: PlanState,
  owner: Claim,
  options: PlanOptions,
): Promise<PlanResult> {
  const { plan } = state;
  const stable: Target = { namespace, name: plan.stable };
  const pair = { namespace, stable: plan.stable, canary: plan.canary };
  const phases = new Set<PlanPhase>(['running']);
  const guard = runnerGuard(plan, owner, phases);
  const check = async () => guard(await getDeployment(cluster, stable));
  const wait = { timeoutMs: options.timeoutMs, onProgress: options.onProgress, guard };
  for (let i = state.step; i < plan.steps.length; i++) {
    const step = plan.steps[i] as PlanStep;
    await record(cluster, stable, { plan, step: i, phase: 'running' }, guard);
    options.onStep?.(i, step);
    options.onProgress?.(`step ${i}: ${describeStep(step)}`);
    if ('setWeight' in step) {
      await setCanaryWeight(cluster, pair, step.setWeight, wait);
    } else if ('pause' in step) {
      if (step.pause.durationMs === undefined) {
        const message = `paused at step ${i}; rollout plan resume ${plan.stable} -n ${namespace} goes on`;
        await record(cluster, stable, { plan, step: i + 1, phase: 'paused', message }, guard);
        return { phase: 'paused', step: i + 1, message };
      }
      await pauseWatching(step.pause.durationMs, check);
    } else {
      const verdict = await analyse(
        plan.analysis as PlanAnalysis,
        step.analysis.durationMs,
        `${plan.canary}-`,
        check,
      );
      options.onProgress?.(`analysis: ${verdict.summary}`);
      // The verdict counts only if the plan still runs: an abort meanwhile has already decided.
      await check();
      if (!verdict.passed) {
        const message = `aborted at step ${i}: analysis failed: ${verdict.reasons.join('; ')}; ${plan.stable} has every replica back`;
        await conclude(cluster, stable, plan, { phase: 'aborted', step: i, message }, guard, phases, () =>
          abortCanary(cluster, pair, wait),
        );
        throw new RolloutError(message);
      }
    }
  }
  const message = `promoted: ${plan.stable} runs ${Object.values(plan.image).join(' ')} on every replica, ${plan.canary} 0`;
  return conclude(
    cluster,
    stable,
    plan,
    { phase: 'promoted', step: plan.steps.length, message },
    guard,
    phases,
    () => promoteCanary(cluster, pair, wait),
  );
}

const ENDING: Record<'aborted' | 'promoted', PlanPhase> = { aborted: 'aborting', promoted: 'promoting' };

/**
 * Ends the plan: first the decision is recorded (so a runner still at work stops before its next
 * write), then the canary's last act, then how it ended. `guard` (a runner's) must pass on the first
 * record; `phases` then admits the ending phase for the act's own writes.
 */
async function conclude(
  cluster: Cluster,
  stable: Target,
  plan: CanaryPlan,
  end: PlanResult & { phase: 'aborted' | 'promoted' },
  guard: Seen['guard'] | undefined,
  phases: Set<PlanPhase> | undefined,
  act: () => Promise<unknown>,
): Promise<PlanResult> {
  const ending = ENDING[end.phase];
  await record(
    cluster,
    stable,
    { plan, step: end.step, phase: ending, message: `${ending}: ${end.message}` },
    guard,
  );
  phases?.clear();
  phases?.add(ending);
  await act();
  await record(cluster, stable, { plan, ...end }, guard);
  return end;
}

/** The active plan for a by-hand verb; an abort may also finish an interrupted ending. */
async function activeState(cluster: Cluster, stable: Target, verb: keyof typeof BY_HAND): Promise<PlanState> {
  const state = stateOf(await getDeployment(cluster, stable));
  const admits: PlanPhase[] =
    verb === 'abort' ? ['running', 'paused', 'aborting', 'promoting'] : ['running', 'paused', 'promoting'];
  if (!state || !admits.includes(state.phase)) {
    // An ended plan says how it ended ("aborted at step 1: analysis failed: error rate …").
    const why =
      state?.phase === 'aborting'
        ? `an abort is under way; rollout plan abort ${stable.name} finishes it`
        : state
          ? `${state.phase}${state.message ? `: ${state.message}` : ''}`
          : 'none ran';
    throw new RolloutError(`no plan in progress on ${describe(stable)} (${why}); nothing to ${verb}`);
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
  const state = stateOf(await getDeployment(cluster, stable));
  if (state?.phase !== 'paused') {
    throw new RolloutError(
      state?.phase === 'running'
        ? `the plan on ${stable.name} is running, not paused (step ${state.step}); rollout plan run FILE continues an interrupted run`
        : `no paused plan on ${describe(stable)} (${state ? state.phase : 'none ran'}); nothing to resume`,
    );
  }
  await checkPlan(cluster, stable.namespace, state.plan, state.step);
  return owning(cluster, stable.namespace, state.plan, options, async (owner) => {
    const guard = runnerGuard(state.plan, owner, new Set(['paused']));
    // Resumed under the Lease, onto the paused record it read: two resumes at once cannot both go on.
    await record(cluster, stable, { ...state, phase: 'running', message: undefined }, guard);
    return continuePlan(cluster, stable.namespace, { ...state, phase: 'running' }, owner, options);
  });
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
    end: (state: PlanState, stable: Target): PlanResult & { phase: 'aborted' } => ({
      phase: 'aborted',
      step: state.step,
      message: `aborted at step ${state.step} by hand; ${stable.name} has every replica back`,
    }),
  },
  promote: {
    act: promoteCanary,
    end: (state: PlanState): PlanResult & { phase: 'promoted' } => ({
      phase: 'promoted',
      step: state.plan.steps.length,
      message: `promoted at step ${state.step} by hand`,
    }),
  },
} as const;

/**
 * Ends an active plan now, the canary's way for the verb. No Lease: the operator's decision wins over a
 * runner, which sees the recorded decision at its next read and stops.
 */
async function endByHand(
  cluster: Cluster,
  stable: Target,
  verb: keyof typeof BY_HAND,
  options: WaitOptions,
): Promise<PlanResult> {
  const state = await activeState(cluster, stable, verb);
  const pair = { namespace: stable.namespace, stable: stable.name, canary: state.plan.canary };
  const { act, end } = BY_HAND[verb];
  return conclude(cluster, stable, state.plan, end(state, stable), undefined, undefined, () =>
    act(cluster, pair, options),
  );
}
