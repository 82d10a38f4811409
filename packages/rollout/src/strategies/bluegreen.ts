// Blue/green: two colour Deployments, one Service whose selector points at the live one.
import { PatchStrategy, setHeaderOptions, type V1Service } from '@kubernetes/client-node';
import { type Cluster, call } from '../api/client.js';
import { getDeployment } from '../api/read.js';
import {
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

const service = (bg: BlueGreen) => `service ${bg.service} in namespace ${bg.namespace}`;

const readService = (cluster: Cluster, bg: BlueGreen): Promise<V1Service> =>
  call(cluster, service(bg), () =>
    cluster.core.readNamespacedService({ name: bg.service, namespace: bg.namespace }),
  );

/** The colour a Service selects; a Service without a selector is refused (its endpoints are hand-made). */
export function colorOf(svc: V1Service, bg: BlueGreen): string | undefined {
  if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) {
    throw new InvalidInputError(
      `${service(bg)} has no selector; blue/green switches a selector (${bg.key ?? 'color'}: blue|green)`,
    );
  }
  return svc.spec.selector[bg.key ?? 'color'];
}

export async function activeColor(cluster: Cluster, bg: BlueGreen): Promise<string | undefined> {
  return colorOf(await readService(cluster, bg), bg);
}

export function checkColor(to: string): asserts to is Color {
  if (!(COLORS as readonly string[]).includes(to))
    throw new InvalidInputError(`colour must be blue or green, got ${JSON.stringify(to)}`);
}

const scaleTo = (replicas: number) => (d: { spec?: { replicas?: number } }) =>
  d.spec?.replicas === replicas ? undefined : ({ type: 'strategic', body: { spec: { replicas } } } as const);

/**
 * Blue/green switch: bring the idle colour up to the live one's size, wait until it is ready, point the
 * Service at it in one selector change, and optionally scale the old colour down after a delay. Every
 * write is made only onto the object as the switch decided from it (the Service still selecting the
 * old colour, the live colour's spec unchanged): a concurrent change stops the switch and is reported.
 */
export async function switchColor(
  cluster: Cluster,
  bg: BlueGreen,
  to: string,
  options: SwitchOptions = {},
): Promise<Outcome & { from?: string }> {
  checkColor(to);
  const key = bg.key ?? 'color';
  const from = await activeColor(cluster, bg);
  const dry = options.dryRun;
  const done = (message: string, kubectl: string[]) => ({
    changed: !dry,
    message: `${message}${dryRunSuffix(dry)}`,
    kubectl,
    from,
    ...(dry ? { dryRun: dry } : {}),
  });
  const kubectl = [kubectlSelect(bg.namespace, bg.service, key, to)];
  if (from === to) {
    // A rerun after an interrupted switch: the Service moved, the old colour may still be up.
    const other = COLORS.find((c) => c !== to) as string;
    const old: Target = { namespace: bg.namespace, name: `${bg.deploymentPrefix}-${other}` };
    const oldDeployment = await getDeployment(cluster, old);
    if (options.scaleDownAfterMs !== undefined && (oldDeployment.spec?.replicas ?? 0) > 0) {
      await writeIfUnchanged(cluster, seen(old, oldDeployment), scaleTo(0), 'not scaled down', options);
      if (!dry) await waitForRollout(cluster, old, { ...options, untilOldPodsGone: true });
      return done(`${service(bg)} already selects ${to}; ${old.name} scaled to 0`, [kubectlScale(old, 0)]);
    }
    return { changed: false, message: `${service(bg)} already selects ${to}`, kubectl, from };
  }
  const idle: Target = { namespace: bg.namespace, name: `${bg.deploymentPrefix}-${to}` };
  const live: Target | undefined = from
    ? { namespace: bg.namespace, name: `${bg.deploymentPrefix}-${from}` }
    : undefined;
  const idleDeployment = await getDeployment(cluster, idle);
  const liveDeployment = live ? await getDeployment(cluster, live) : undefined;
  const liveSeen: Seen | undefined = live && liveDeployment ? seen(live, liveDeployment) : undefined;
  const replicas = options.replicas ?? (liveDeployment ?? idleDeployment).spec?.replicas ?? 1;
  if (replicas < 1) throw new InvalidInputError(`cannot switch to ${to} with ${replicas} replicas`);
  const imageDecision = options.images
    ? decideSetImage(idleDeployment, idle, options.images, options.cause)
    : undefined;

  const revisionBefore = revisionOf(idleDeployment);
  const idleReplicas = idleDeployment.spec?.replicas ?? 0;
  const notSwitched = `the Service still selects ${from ?? 'nothing'}; \`rollout switch ${to}\` again decides from the new state`;
  let idleSeen = seen(idle, idleDeployment);
  if (imageDecision?.kind === 'patch') {
    const patch = imageDecision.patch;
    idleSeen = await writeIfUnchanged(cluster, idleSeen, () => patch, notSwitched, options);
  }
  idleSeen = await writeIfUnchanged(cluster, idleSeen, scaleTo(replicas), notSwitched, options);
  if (!dry) {
    try {
      const ready = await waitForRollout(cluster, idle, { ...options, untilOldPodsGone: true });
      if ((ready.status?.readyReplicas ?? 0) < 1) throw new RolloutError('no ready pods');
    } catch (error) {
      // Not switching: give the idle colour its old size and template back, so that a failed switch
      // changes nothing (the broken image does not wait on the idle colour for the next switch).
      await writeIfUnchanged(cluster, idleSeen, scaleTo(idleReplicas), notSwitched);
      if (imageDecision?.kind === 'patch' && revisionBefore !== undefined)
        await undo(cluster, idle, revisionBefore);
      const why = error instanceof Error ? error.message : String(error);
      throw new RolloutError(
        `${idle.name} did not become ready (${why}); the Service still selects ${from ?? 'nothing'}`,
      );
    }
  }

  if (liveSeen) await readUnchanged(cluster, liveSeen, `${idle.name} is up; ${notSwitched}`);
  await withConflictRetry(service(bg), async () => {
    const svc = await readService(cluster, bg);
    const now = colorOf(svc, bg);
    if (now !== from) {
      throw new ChangedMeanwhileError(
        `${service(bg)} was switched to ${now ?? 'nothing'} by someone else meanwhile; not switching it to ${to} (${idle.name} is up; scale it down if it is not wanted)`,
      );
    }
    if (dry === 'client') return;
    if (!dry) options.onSwitching?.(new Date());
    await call(cluster, service(bg), () =>
      cluster.core.patchNamespacedService(
        {
          name: bg.service,
          namespace: bg.namespace,
          body: {
            metadata: { resourceVersion: svc.metadata?.resourceVersion },
            spec: { selector: { [key]: to } },
          },
          ...(dry === 'server' ? { dryRun: 'All' } : {}),
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
  });
  if (!dry) options.onSwitched?.(new Date());

  const scaleDown = liveSeen && options.scaleDownAfterMs !== undefined;
  if (liveSeen && scaleDown) {
    if (!dry) await new Promise((resolve) => setTimeout(resolve, options.scaleDownAfterMs));
    await writeIfUnchanged(
      cluster,
      liveSeen,
      scaleTo(0),
      `the Service selects ${to}; ${liveSeen.target.name} was not scaled down`,
      options,
    );
    if (!dry) await waitForRollout(cluster, liveSeen.target, { ...options, untilOldPodsGone: true });
  }
  return done(
    `${service(bg)} switched ${from ?? '(none)'} → ${to} (${replicas} ${dry ? 'replicas' : 'ready'})${scaleDown && live ? `; ${live.name} scaled to 0` : ''}`,
    [kubectlScale(idle, replicas), kubectlStatus(idle), ...kubectl],
  );
}
