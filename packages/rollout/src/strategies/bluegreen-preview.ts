// Blue/green with a manual gate (Argo Rollouts' previewService + autoPromotionEnabled: false): stage the
// idle colour behind the preview Service and check it there; promote makes it live; abort scales it
// down and never touches the live Service.

import { createHash } from 'node:crypto';
import type { V1Deployment } from '@kubernetes/client-node';
import { type RequestRecord, startSamplerProcess, summarize, untilAnswering } from '@rollout-lab/traffic';
import type { Cluster } from '../api/client.js';
import { claim } from '../api/lease.js';
import { getDeployment } from '../api/read.js';
import { seen, writeIfUnchanged } from '../api/write.js';
import { InvalidInputError, RolloutError } from '../errors.js';
import { kubectlScale, kubectlSelect } from '../print/kubectl.js';
import type { Outcome } from '../verbs/decision.js';
import { waitForRollout } from '../verbs/status.js';
import {
  activeColor,
  type BlueGreen,
  bringUp,
  COLORS,
  type Color,
  checkColor,
  colorTarget,
  pointService,
  previewOf,
  type SwitchOptions,
  scaleDownLater,
  scaleTo,
  serviceLabel,
  written,
} from './bluegreen.js';

export interface Analysis {
  /** http:// URL to sample (the preview Service's NodePort before promotion, the live one after). */
  url: string;
  durationMs: number;
  /** Requests per second; default 20. */
  rate?: number;
  /** Only these pods may answer (name prefix): the staged colour's, on the preview URL. */
  podPrefix?: string;
}

export interface AnalysisResult {
  passed: boolean;
  requests: number;
  failed: number;
  versions: Record<string, number>;
  p99Ms: number;
  /** One line: "200 requests, 0 failed, versions {"v2":200}, p99 12 ms". */
  summary: string;
}

/** The verdict over one window: ≥ 1 request per second of the window answered, 0 failed, only the wanted pods. */
export function judge(records: readonly RequestRecord[], analysis: Analysis): AnalysisResult {
  const foreign = analysis.podPrefix
    ? records.filter((r) => !r.error && r.pod && !r.pod.startsWith(analysis.podPrefix as string)).length
    : 0;
  const s = summarize([...records]);
  const failed = s.failed + foreign;
  const minimum = Math.max(1, Math.floor(analysis.durationMs / 1000));
  const passed = failed === 0 && s.requests >= minimum;
  const extra = foreign
    ? ` (${foreign} answered by pods not of ${analysis.podPrefix?.replace(/-$/, '')})`
    : '';
  return {
    passed,
    requests: s.requests,
    failed,
    versions: s.versions,
    p99Ms: s.latencyMs.p99,
    summary: `${s.requests} requests, ${failed} failed${extra}, versions ${JSON.stringify(s.versions)}, p99 ${s.latencyMs.p99.toFixed(0)} ms`,
  };
}

/**
 * Waits until `url` answers 10 times in a row from the wanted pods (kube-proxy programs a Service's new
 * endpoints seconds after they are ready), then samples it for the window and judges it.
 */
export async function analyse(
  analysis: Analysis,
  timeoutMs: number,
  onProgress?: (m: string) => void,
): Promise<AnalysisResult> {
  const prefix = analysis.podPrefix;
  await untilAnswering(analysis.url, {
    timeoutMs,
    from: prefix ?? 'the Service',
    // 2xx, as the window's classifier counts; a pod that does not name itself is not refused here.
    accept: ({ status, headers }) => {
      const pod = headers['x-pod-name'];
      return status >= 200 && status < 300 && (!prefix || typeof pod !== 'string' || pod.startsWith(prefix));
    },
  }).catch((error: Error) => {
    throw new RolloutError(error.message);
  });
  onProgress?.(`analysing ${analysis.url} for ${analysis.durationMs / 1000} s`);
  // In a process of its own, scheduled first (see startSamplerProcess): a late sampler would charge its
  // own delay to the pods.
  const { records } = await startSamplerProcess({
    url: analysis.url,
    rate: analysis.rate ?? 20,
    durationMs: analysis.durationMs,
    classifier: 'any',
  }).done;
  return judge(records, analysis);
}

/**
 * The staged colour's last pre-promotion check, kept on its Deployment: what it said, and of which pod
 * template, so that a check passed by another template (an image changed after it) does not count.
 */
export const GATE = 'rollout-lab.dev/preview-gate';

export interface GateRecord {
  result: 'passed' | 'failed' | 'unverified';
  /** sha256 of the pod template it judged, first 16 hex digits. */
  template: string;
  at: string;
  detail: string;
}

export const templateDigest = (d: V1Deployment): string =>
  createHash('sha256')
    .update(JSON.stringify(d.spec?.template ?? {}))
    .digest('hex')
    .slice(0, 16);

export function gateOf(d: V1Deployment): GateRecord | undefined {
  const raw = d.metadata?.annotations?.[GATE];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as GateRecord;
  } catch {
    return undefined;
  }
}

/** Why the staged Deployment may not be promoted without the operator's explicit word; undefined: it may. */
export function gateRefusal(d: V1Deployment): string | undefined {
  const gate = gateOf(d);
  const name = d.metadata?.name;
  if (!gate || gate.result === 'unverified') return `${name} was staged without a pre-promotion analysis`;
  if (gate.template !== templateDigest(d))
    return `${name}'s pod template changed since its pre-promotion analysis (${gate.result} at ${gate.at})`;
  if (gate.result === 'failed')
    return `${name} failed its pre-promotion analysis at ${gate.at}: ${gate.detail}`;
  return undefined;
}

async function recordGate(
  cluster: Cluster,
  idle: { namespace: string; name: string },
  result: GateRecord['result'],
  detail: string,
  why: string,
): Promise<void> {
  const d = await getDeployment(cluster, idle);
  const gate: GateRecord = { result, template: templateDigest(d), at: new Date().toISOString(), detail };
  await writeIfUnchanged(
    cluster,
    seen(idle, d),
    () => ({ type: 'strategic', body: { metadata: { annotations: { [GATE]: JSON.stringify(gate) } } } }),
    why,
  );
}

export interface StageOptions extends SwitchOptions {
  /** Given the way to give the staging's Lease back early (the CLI calls it on Ctrl-C). */
  onClaim?: (release: () => Promise<void>) => void;
  /** Pre-promotion analysis against the preview Service's URL. */
  analysis?: Omit<Analysis, 'podPrefix'>;
}

/**
 * `rollout switch green --no-promote`: green up (new images first), the preview Service pointed at it,
 * the pre-promotion analysis run against the preview URL; the live Service is never touched. A failed
 * analysis scales green back down.
 */
export async function stageColor(
  cluster: Cluster,
  bg: BlueGreen,
  to: string,
  options: StageOptions = {},
): Promise<Outcome & { analysis?: AnalysisResult }> {
  checkColor(to);
  const preview = previewOf(bg);
  const [from, previewed] = await Promise.all([activeColor(cluster, bg), activeColor(cluster, bg, preview)]);
  if (from === to)
    throw new InvalidInputError(`${to} is already live on ${serviceLabel(bg)}; stage the other colour`);
  if (options.dryRun) return stageOwned(cluster, bg, to, from, previewed, options);
  // One staging at a time per pair of colours: a second one would judge (and record) the first's pods.
  const owner = await claim(
    cluster,
    bg.namespace,
    switchLeaseName(bg.deploymentPrefix),
    `staging ${bg.deploymentPrefix}-blue/green`,
  );
  options.onClaim?.(() => owner.release());
  try {
    return await stageOwned(cluster, bg, to, from, previewed, options);
  } finally {
    await owner.release();
  }
}

/** The Lease one staging of a blue/green pair holds. */
export const switchLeaseName = (prefix: string): string => `rollout-lab-switch-${prefix}`.slice(0, 253);

async function stageOwned(
  cluster: Cluster,
  bg: BlueGreen,
  to: string,
  from: string | undefined,
  previewed: string | undefined,
  options: StageOptions,
): Promise<Outcome & { analysis?: AnalysisResult }> {
  const preview = previewOf(bg);
  const notStaged = `${serviceLabel(bg)} still selects ${from ?? 'nothing'}`;
  const { idle, replicas } = await bringUp(cluster, bg, to as Color, from, options, notStaged);
  await pointService(cluster, bg, preview, previewed, to, { dryRun: options.dryRun, why: notStaged });
  const kubectl = [kubectlScale(idle, replicas), kubectlSelect(bg.namespace, preview, bg.key ?? 'color', to)];
  const staged = `${to} staged: ${idle.name} ${replicas} ${options.dryRun ? 'replicas' : 'ready'} behind ${preview}; ${serviceLabel(bg)} still selects ${from ?? 'nothing'}`;
  if (options.dryRun) return { ...written(options.dryRun, staged), kubectl };
  if (!options.analysis) {
    await recordGate(cluster, idle, 'unverified', 'staged without --preview-url', notStaged);
    return { ...written(undefined, staged), kubectl };
  }
  // A staging whose check fails, or cannot run, leaves the colour at 0 and the failure on record.
  let result: AnalysisResult;
  try {
    result = await analyse(
      { ...options.analysis, podPrefix: `${idle.name}-` },
      options.timeoutMs ?? 300_000,
      options.onProgress,
    );
  } catch (error) {
    const why = (error as Error).message;
    await failStaging(cluster, idle, why, notStaged);
    throw new RolloutError(`pre-promotion analysis failed: ${why}; ${idle.name} scaled to 0, ${notStaged}`);
  }
  if (!result.passed) {
    await failStaging(cluster, idle, result.summary, notStaged);
    throw new RolloutError(
      `pre-promotion analysis failed on ${options.analysis.url}: ${result.summary}; ${idle.name} scaled to 0, ${notStaged}`,
    );
  }
  await recordGate(cluster, idle, 'passed', result.summary, notStaged);
  return {
    ...written(undefined, `${staged}; pre-promotion analysis passed: ${result.summary}`),
    kubectl,
    analysis: result,
  };
}

async function failStaging(
  cluster: Cluster,
  idle: { namespace: string; name: string },
  detail: string,
  notStaged: string,
): Promise<void> {
  await recordGate(cluster, idle, 'failed', detail, notStaged);
  const current = await getDeployment(cluster, idle);
  await writeIfUnchanged(cluster, seen(idle, current), scaleTo(0), notStaged);
}

export interface PromoteOptions extends SwitchOptions {
  /**
   * Promote a staged colour whose pre-promotion analysis failed, never ran, or judged another template
   * (`promote-switch --unverified`): the operator takes that risk by name.
   */
  unverified?: boolean;
  /** Post-promotion analysis against the live URL; if it fails, the live Service goes back. */
  analysis?: Omit<Analysis, 'podPrefix'>;
}

/** The staged colour: what the preview selects, when that is not what is live and it has replicas. */
async function staged(cluster: Cluster, bg: BlueGreen) {
  const [from, to] = await Promise.all([activeColor(cluster, bg), activeColor(cluster, bg, previewOf(bg))]);
  const nothing = (why: string) =>
    new RolloutError(
      `nothing is staged: ${previewOf(bg)} selects ${why}, ${bg.service} selects ${from ?? 'nothing'} (rollout switch <colour> --no-promote first)`,
    );
  if (!to || !(COLORS as readonly string[]).includes(to) || to === from) throw nothing(to ?? 'nothing');
  const idle = await getDeployment(cluster, colorTarget(bg, to));
  if ((idle.spec?.replicas ?? 0) === 0) throw nothing(`${to} (0 replicas)`);
  return { from, to, idle };
}

/** `rollout promote-switch`: the live Service takes the staged colour, after checking it is still ready. */
export async function promoteStaged(
  cluster: Cluster,
  bg: BlueGreen,
  options: PromoteOptions = {},
): Promise<Outcome & { from?: string; to: string; analysis?: AnalysisResult }> {
  const { from, to, idle: idleDeployment } = await staged(cluster, bg);
  const idle = colorTarget(bg, to);
  const refusal = gateRefusal(idleDeployment);
  if (refusal && !options.unverified) {
    throw new RolloutError(
      `${refusal}; not promoted (${serviceLabel(bg)} still selects ${from ?? 'nothing'}): stage it again with --preview-url, or promote-switch --unverified to take the risk`,
    );
  }
  if ((idleDeployment.status?.readyReplicas ?? 0) < 1) {
    throw new RolloutError(
      `${idle.name} has no ready pods; nothing to promote (${serviceLabel(bg)} still selects ${from ?? 'nothing'})`,
    );
  }
  const live = from ? colorTarget(bg, from) : undefined;
  const liveSeen = live ? seen(live, await getDeployment(cluster, live)) : undefined;
  await pointService(cluster, bg, bg.service, from, to, {
    dryRun: options.dryRun,
    onSwitching: options.onSwitching,
    why: `${idle.name} stays staged`,
  });
  if (!options.dryRun) options.onSwitched?.(new Date());
  const kubectl = [kubectlSelect(bg.namespace, bg.service, bg.key ?? 'color', to)];
  let analysis: AnalysisResult | undefined;
  if (options.analysis && !options.dryRun) {
    analysis = await analyse(options.analysis, options.timeoutMs ?? 300_000, options.onProgress);
    if (!analysis.passed) {
      // The old colour is still up (it is scaled down only after the analysis): back to it at once.
      if (from)
        await pointService(cluster, bg, bg.service, to, from, {
          why: 'switching back after a failed analysis',
        });
      throw new RolloutError(
        `post-promotion analysis failed on ${options.analysis.url}: ${analysis.summary}; ${serviceLabel(bg)} switched back to ${from ?? 'nothing'}`,
      );
    }
  }
  const scaleDown = liveSeen !== undefined && options.scaleDownAfterMs !== undefined;
  if (liveSeen && scaleDown) {
    await scaleDownLater(
      cluster,
      liveSeen,
      options,
      `${serviceLabel(bg)} selects ${to}; ${liveSeen.target.name} was not scaled down`,
    );
  }
  const checked = analysis ? `; post-promotion analysis passed: ${analysis.summary}` : '';
  return {
    ...written(
      options.dryRun,
      `${serviceLabel(bg)} promoted ${from ?? '(none)'} → ${to}${checked}${scaleDown && liveSeen ? `; ${liveSeen.target.name} scaled to 0` : ''}`,
    ),
    kubectl,
    from,
    to,
    ...(analysis ? { analysis } : {}),
  };
}

/** `rollout abort-switch`: the staged colour scaled to 0; the live Service is not touched. */
export async function abortStaged(
  cluster: Cluster,
  bg: BlueGreen,
  options: SwitchOptions = {},
): Promise<Outcome> {
  const { from, to, idle: current } = await staged(cluster, bg);
  const idle = colorTarget(bg, to);
  await writeIfUnchanged(
    cluster,
    seen(idle, current),
    scaleTo(0),
    `${idle.name} was not scaled down`,
    options,
  );
  if (!options.dryRun && (current.spec?.replicas ?? 0) > 0) {
    await waitForRollout(cluster, idle, { ...options, untilOldPodsGone: true });
  }
  return {
    ...written(
      options.dryRun,
      `${to} aborted: ${idle.name} scaled to 0; ${serviceLabel(bg)} still selects ${from ?? 'nothing'}`,
    ),
    kubectl: [kubectlScale(idle, 0)],
  };
}
