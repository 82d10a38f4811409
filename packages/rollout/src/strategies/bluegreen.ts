// Blue/green: two colour Deployments, one Service whose selector points at the live one (and, for a
// look before the switch, a preview Service that points at the staged one: bluegreen-preview.ts).
import { PatchStrategy, setHeaderOptions, type V1Service } from '@kubernetes/client-node';
import { type Cluster, call } from '../api/client.js';
import { getDeployment } from '../api/read.js';
import {
  type DryRun,
  readUnchanged,
  type Seen,
  seen,
  type WriteOptions,
  withConflictRetry,
  writeIfUnchanged,
} from '../api/write.js';
import { ChangedMeanwhileError, InvalidInputError, RolloutError } from '../errors.js';
import { dryRunSuffix, kubectlScale, kubectlSelect, kubectlStatus } from '../print/kubectl.js';
import { revisionOf, type Target } from '../resources/objects.js';
import type { Outcome } from '../verbs/decision.js';
import { decideSetImage } from '../verbs/set-image.js';
import { type WaitOptions, waitForRollout } from '../verbs/status.js';
import { undo } from '../verbs/undo.js';

export const COLORS = ['blue', 'green'] as const;
export type Color = (typeof COLORS)[number];

/** Two colour Deployments, `<prefix>-blue` and `<prefix>-green`, and the Service that selects one. */
export interface BlueGreen {
  namespace: string;
  service: string;
  deploymentPrefix: string;
  /** The selector key that holds the colour; default "color". */
  key?: string;
  /** The Service that shows the staged colour; default `<service>-preview`. */
  previewService?: string;
}

export interface SwitchOptions extends WaitOptions, WriteOptions {
  /** Images for the idle colour before it is scaled up, e.g. { myapp: "rollout-lab/myapp:v2.0" }. */
  images?: Record<string, string>;
  cause?: string;
  /** Replicas for the new colour; default: as many as the live one has. */
  replicas?: number;
  /** After the switch, keep the old colour running this long (for a quick switch back), then scale it to 0. Undefined: leave it running. */
  scaleDownAfterMs?: number;
  /**
   * Called right before the Service patch is sent: from here on the new colour may answer (the API
   * server and kube-proxy can be faster than the patch's own response).
   */
  onSwitching?: (at: Date) => void;
  /** Called right after the Service selector changed. */
  onSwitched?: (at: Date) => void;
}

export const serviceLabel = (bg: BlueGreen, name = bg.service) =>
  `service ${name} in namespace ${bg.namespace}`;
export const previewOf = (bg: BlueGreen) => bg.previewService ?? `${bg.service}-preview`;
export const colorTarget = (bg: BlueGreen, color: string): Target => ({
  namespace: bg.namespace,
  name: `${bg.deploymentPrefix}-${color}`,
});

export const readService = (cluster: Cluster, bg: BlueGreen, name = bg.service): Promise<V1Service> =>
  call(cluster, serviceLabel(bg, name), () =>
    cluster.core.readNamespacedService({ name, namespace: bg.namespace }),
  );

/** The colour a Service selects; a Service without a selector is refused (its endpoints are hand-made). */
export function colorOf(svc: V1Service, bg: BlueGreen): string | undefined {
  if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) {
    throw new InvalidInputError(
      `${serviceLabel(bg, svc.metadata?.name)} has no selector; blue/green switches a selector (${bg.key ?? 'color'}: blue|green)`,
    );
  }
  return svc.spec.selector[bg.key ?? 'color'];
}

export async function activeColor(
  cluster: Cluster,
  bg: BlueGreen,
  name = bg.service,
): Promise<string | undefined> {
  return colorOf(await readService(cluster, bg, name), bg);
}

export function checkColor(to: string): asserts to is Color {
  if (!(COLORS as readonly string[]).includes(to))
    throw new InvalidInputError(`colour must be blue or green, got ${JSON.stringify(to)}`);
}

export const scaleTo = (replicas: number) => (d: { spec?: { replicas?: number } }) =>
  d.spec?.replicas === replicas ? undefined : ({ type: 'strategic', body: { spec: { replicas } } } as const);

/**
 * Points a Service's colour selector at `to`, only if it still selects `expected` (what the operation
 * decided from): a Service someone else switched meanwhile is reported, not switched again.
 */
export async function pointService(
  cluster: Cluster,
  bg: BlueGreen,
  name: string,
  expected: string | undefined,
  to: string,
  options: { dryRun?: DryRun; onSwitching?: (at: Date) => void; why: string },
): Promise<void> {
  const key = bg.key ?? 'color';
  await withConflictRetry(serviceLabel(bg, name), async () => {
    const svc = await readService(cluster, bg, name);
    const now = colorOf(svc, bg);
    if (now !== expected) {
      throw new ChangedMeanwhileError(
        `${serviceLabel(bg, name)} was switched to ${now ?? 'nothing'} by someone else meanwhile; not switching it to ${to} (${options.why})`,
      );
    }
    if (options.dryRun === 'client') return;
    if (!options.dryRun) options.onSwitching?.(new Date());
    await call(cluster, serviceLabel(bg, name), () =>
      cluster.core.patchNamespacedService(
        {
          name,
          namespace: bg.namespace,
          body: {
            metadata: { resourceVersion: svc.metadata?.resourceVersion },
            spec: { selector: { [key]: to } },
          },
          ...(options.dryRun === 'server' ? { dryRun: 'All' } : {}),
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
  });
}

export interface BroughtUp {
  idle: Target;
  replicas: number;
  /** The live colour as decided from (its spec must not change before the switch). */
  liveSeen?: Seen;
}

/**
 * Brings the idle colour up to the live one's size (with new images first, if given) and waits until it
 * is ready. If it never gets ready, its old size and template are put back, so that a failed attempt
 * changes nothing (the broken image does not wait on the idle colour for the next switch).
 */
export async function bringUp(
  cluster: Cluster,
  bg: BlueGreen,
  to: Color,
  from: string | undefined,
  options: SwitchOptions,
  notSwitched: string,
): Promise<BroughtUp> {
  const idle = colorTarget(bg, to);
  const live = from ? colorTarget(bg, from) : undefined;
  const idleDeployment = await getDeployment(cluster, idle);
  const liveDeployment = live ? await getDeployment(cluster, live) : undefined;
  const liveSeen = live && liveDeployment ? seen(live, liveDeployment) : undefined;
  const replicas = options.replicas ?? (liveDeployment ?? idleDeployment).spec?.replicas ?? 1;
  if (replicas < 1) throw new InvalidInputError(`cannot switch to ${to} with ${replicas} replicas`);
  const imageDecision = options.images
    ? decideSetImage(idleDeployment, idle, options.images, options.cause)
    : undefined;
  const revisionBefore = revisionOf(idleDeployment);
  const idleReplicas = idleDeployment.spec?.replicas ?? 0;
  let idleSeen = seen(idle, idleDeployment);
  if (imageDecision?.kind === 'patch') {
    const patch = imageDecision.patch;
    idleSeen = await writeIfUnchanged(cluster, idleSeen, () => patch, notSwitched, options);
  }
  idleSeen = await writeIfUnchanged(cluster, idleSeen, scaleTo(replicas), notSwitched, options);
  if (options.dryRun) return { idle, replicas, liveSeen };
  try {
    const ready = await waitForRollout(cluster, idle, { ...options, untilOldPodsGone: true });
    if ((ready.status?.readyReplicas ?? 0) < 1) throw new RolloutError('no ready pods');
  } catch (error) {
    await writeIfUnchanged(cluster, idleSeen, scaleTo(idleReplicas), notSwitched);
    if (imageDecision?.kind === 'patch' && revisionBefore !== undefined)
      await undo(cluster, idle, revisionBefore);
    const why = error instanceof Error ? error.message : String(error);
    throw new RolloutError(
      `${idle.name} did not become ready (${why}); the Service still selects ${from ?? 'nothing'}`,
    );
  }
  return { idle, replicas, liveSeen };
}

/** Scales the old colour to 0 after the delay, if nobody changed it since the switch decided. */
export async function scaleDownLater(
  cluster: Cluster,
  old: Seen,
  options: SwitchOptions,
  why: string,
): Promise<void> {
  if (!options.dryRun) await new Promise((resolve) => setTimeout(resolve, options.scaleDownAfterMs));
  await writeIfUnchanged(cluster, old, scaleTo(0), why, options);
  if (!options.dryRun) await waitForRollout(cluster, old.target, { ...options, untilOldPodsGone: true });
}

export const written = (dryRun: DryRun | undefined, message: string) => ({
  changed: !dryRun,
  message: `${message}${dryRunSuffix(dryRun)}`,
  ...(dryRun ? { dryRun } : {}),
});

/**
 * Blue/green switch: bring the idle colour up, point the Service at it in one selector change, and
 * optionally scale the old colour down after a delay. Every write is made only onto the object as the
 * switch decided from it: a concurrent change stops the switch and is reported.
 */
export async function switchColor(
  cluster: Cluster,
  bg: BlueGreen,
  to: string,
  options: SwitchOptions = {},
): Promise<Outcome & { from?: string }> {
  checkColor(to);
  const from = await activeColor(cluster, bg);
  const kubectl = [kubectlSelect(bg.namespace, bg.service, bg.key ?? 'color', to)];
  if (from === to) {
    // A rerun after an interrupted switch: the Service moved, the old colour may still be up.
    const old = colorTarget(bg, COLORS.find((c) => c !== to) as string);
    const oldDeployment = await getDeployment(cluster, old);
    if (options.scaleDownAfterMs !== undefined && (oldDeployment.spec?.replicas ?? 0) > 0) {
      await writeIfUnchanged(cluster, seen(old, oldDeployment), scaleTo(0), 'not scaled down', options);
      if (!options.dryRun) await waitForRollout(cluster, old, { ...options, untilOldPodsGone: true });
      return {
        ...written(options.dryRun, `${serviceLabel(bg)} already selects ${to}; ${old.name} scaled to 0`),
        kubectl: [kubectlScale(old, 0)],
        from,
      };
    }
    return { changed: false, message: `${serviceLabel(bg)} already selects ${to}`, kubectl, from };
  }
  const notSwitched = `the Service still selects ${from ?? 'nothing'}; \`rollout switch ${to}\` again decides from the new state`;
  const { idle, replicas, liveSeen } = await bringUp(cluster, bg, to, from, options, notSwitched);
  if (liveSeen) await readUnchanged(cluster, liveSeen, `${idle.name} is up; ${notSwitched}`);
  await pointService(cluster, bg, bg.service, from, to, {
    dryRun: options.dryRun,
    onSwitching: options.onSwitching,
    why: `${idle.name} is up; scale it down if it is not wanted`,
  });
  if (!options.dryRun) options.onSwitched?.(new Date());
  const scaleDown = liveSeen !== undefined && options.scaleDownAfterMs !== undefined;
  if (liveSeen && scaleDown) {
    await scaleDownLater(
      cluster,
      liveSeen,
      options,
      `the Service selects ${to}; ${liveSeen.target.name} was not scaled down`,
    );
  }
  return {
    ...written(
      options.dryRun,
      `${serviceLabel(bg)} switched ${from ?? '(none)'} → ${to} (${replicas} ${options.dryRun ? 'replicas' : 'ready'})${scaleDown && liveSeen ? `; ${liveSeen.target.name} scaled to 0` : ''}`,
    ),
    kubectl: [kubectlScale(idle, replicas), kubectlStatus(idle), ...kubectl],
    from,
  };
}
