import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { type Cluster, call } from './client.js';
import {
  type Outcome,
  scale,
  setImage,
  undo,
  type WaitOptions,
  waitForRollout,
  withConflictRetry,
} from './deployment.js';
import { InvalidInputError, RolloutError } from './errors.js';
import { getDeployment, revisionOf, type Target } from './objects.js';

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

export interface SwitchOptions extends WaitOptions {
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

export async function activeColor(cluster: Cluster, bg: BlueGreen): Promise<string | undefined> {
  const svc = await call(cluster, service(bg), () =>
    cluster.core.readNamespacedService({ name: bg.service, namespace: bg.namespace }),
  );
  // Without a selector, the Service's endpoints are managed by hand: a selector patch would take them over.
  if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) {
    throw new InvalidInputError(
      `${service(bg)} has no selector; blue/green switches a selector (${bg.key ?? 'color'}: blue|green)`,
    );
  }
  return svc.spec.selector[bg.key ?? 'color'];
}

/**
 * Blue/green switch: bring the idle colour up to the live one's size, wait until it is ready, point the
 * Service at it in one selector change, and optionally scale the old colour down after a delay.
 */
export async function switchColor(
  cluster: Cluster,
  bg: BlueGreen,
  to: string,
  options: SwitchOptions = {},
): Promise<Outcome & { from?: string }> {
  if (!(COLORS as readonly string[]).includes(to))
    throw new InvalidInputError(`colour must be blue or green, got ${JSON.stringify(to)}`);
  const key = bg.key ?? 'color';
  const from = await activeColor(cluster, bg);
  const kubectl = [
    `kubectl patch service ${bg.service} -n ${bg.namespace} -p '{"spec":{"selector":{"${key}":"${to}"}}}'`,
  ];
  if (from === to) {
    // A rerun after an interrupted switch: the Service moved, the old colour may still be up.
    const other = COLORS.find((c) => c !== to) as string;
    const old: Target = { namespace: bg.namespace, name: `${bg.deploymentPrefix}-${other}` };
    if (
      options.scaleDownAfterMs !== undefined &&
      ((await getDeployment(cluster, old)).spec?.replicas ?? 0) > 0
    ) {
      await scale(cluster, old, 0);
      await waitForRollout(cluster, old, { ...options, untilOldPodsGone: true });
      return {
        changed: true,
        message: `${service(bg)} already selects ${to}; ${old.name} scaled to 0`,
        kubectl,
        from,
      };
    }
    return { changed: false, message: `${service(bg)} already selects ${to}`, kubectl, from };
  }
  const idle: Target = { namespace: bg.namespace, name: `${bg.deploymentPrefix}-${to}` };
  const live: Target | undefined = from
    ? { namespace: bg.namespace, name: `${bg.deploymentPrefix}-${from}` }
    : undefined;
  const idleDeployment = await getDeployment(cluster, idle);
  const replicas =
    options.replicas ??
    (live
      ? ((await getDeployment(cluster, live)).spec?.replicas ?? 1)
      : (idleDeployment.spec?.replicas ?? 1));
  if (replicas < 1) throw new InvalidInputError(`cannot switch to ${to} with ${replicas} replicas`);

  const revisionBefore = revisionOf(idleDeployment);
  const imagesChanged = options.images
    ? (await setImage(cluster, idle, options.images, options.cause ? { cause: options.cause } : {})).changed
    : false;
  const idleReplicas = idleDeployment.spec?.replicas ?? 0;
  await scale(cluster, idle, replicas);
  try {
    const ready = await waitForRollout(cluster, idle, { ...options, untilOldPodsGone: true });
    if ((ready.status?.readyReplicas ?? 0) < 1) throw new RolloutError('no ready pods');
  } catch (error) {
    // Not switching: give the idle colour its old size and template back, so that a failed switch
    // changes nothing (the broken image does not wait on the idle colour for the next switch).
    await scale(cluster, idle, idleReplicas);
    if (imagesChanged && revisionBefore !== undefined) await undo(cluster, idle, revisionBefore);
    const why = error instanceof Error ? error.message : String(error);
    throw new RolloutError(
      `${idle.name} did not become ready (${why}); the Service still selects ${from ?? 'nothing'}`,
    );
  }

  await withConflictRetry(service(bg), async () => {
    const svc = await call(cluster, service(bg), () =>
      cluster.core.readNamespacedService({ name: bg.service, namespace: bg.namespace }),
    );
    options.onSwitching?.(new Date());
    await call(cluster, service(bg), () =>
      cluster.core.patchNamespacedService(
        {
          name: bg.service,
          namespace: bg.namespace,
          body: {
            metadata: { resourceVersion: svc.metadata?.resourceVersion },
            spec: { selector: { [key]: to } },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
  });
  options.onSwitched?.(new Date());

  if (live && options.scaleDownAfterMs !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, options.scaleDownAfterMs));
    await scale(cluster, live, 0);
    await waitForRollout(cluster, live, { ...options, untilOldPodsGone: true });
  }
  return {
    changed: true,
    message: `${service(bg)} switched ${from ?? '(none)'} → ${to} (${replicas} ready)${live && options.scaleDownAfterMs !== undefined ? `; ${live.name} scaled to 0` : ''}`,
    kubectl: [
      `kubectl scale deployment/${idle.name} --replicas=${replicas} -n ${bg.namespace}`,
      `kubectl rollout status deployment/${idle.name} -n ${bg.namespace}`,
      ...kubectl,
    ],
    from,
  };
}
