import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { type ClusterSpec, cachePath, cluster, defaultRelease, RUNTIME_LABEL, versions } from './config.js';
import { logged, q } from './exec.js';
import { cgroupV1, lacksSysResource } from './host.js';
import { info, warn } from './log.js';

/** The pinned kind CLI: the one on PATH if it is that version, else `go install`ed into the cache. */
export async function ensureKind(): Promise<string> {
  const onPath = await q`kind version`.nothrow();
  if (onPath.exitCode === 0 && onPath.stdout.includes(`kind ${versions.kind} `)) return 'kind';
  const bin = cachePath('bin', `kind-${versions.kind}`);
  const kind = `${bin}/kind`;
  if (!existsSync(kind)) {
    await mkdir(bin, { recursive: true });
    await logged('go-install-kind', 'go', ['install', `sigs.k8s.io/kind@${versions.kind}`], {
      env: { ...process.env, GOBIN: bin, CGO_ENABLED: '0' },
    });
  }
  return kind;
}

/** What of the host the kind config must allow for (host.ts reads them). */
export interface HostQuirks {
  /** The capability bounding set lacks CAP_SYS_RESOURCE (some microVM sandboxes). */
  lacksSysResource: boolean;
  /** The host runs cgroup v1 (no /sys/fs/cgroup/cgroup.controllers). */
  cgroupV1: boolean;
}

/**
 * The control plane's kubeadm patch. Leader election off for the controller manager and the scheduler, in
 * the kubeadm API that kind ${versions.kind} writes for the minor: v1beta4 (argument lists) from 1.36,
 * v1beta3 (maps) before. A merge patch replaces a list whole, so kind's own argument is restated there; a
 * map is merged. etcd without fsync: no write of the API server waits for the disk. Its data still
 * outlives a stop of the node's container (the host keeps its page cache); a crash of the host may lose it,
 * and a cluster is quickly made again.
 */
export function controlPlanePatch(minor: string): string {
  const [major = 0, min = 0] = minor.split('.').map(Number);
  const lists = major > 1 || min >= 36;
  const extraArgs = (args: Record<string, string>) =>
    lists ? Object.entries(args).map(([name, value]) => ({ name, value })) : args;
  return stringify({
    kind: 'ClusterConfiguration',
    controllerManager: {
      extraArgs: extraArgs({
        'leader-elect': 'false',
        ...(lists ? { 'enable-hostpath-provisioner': 'true' } : {}),
      }),
    },
    scheduler: { extraArgs: extraArgs({ 'leader-elect': 'false' }) },
    etcd: { local: { extraArgs: extraArgs({ 'unsafe-no-fsync': 'true' }) } },
  });
}

/**
 * The OCI runtime a node image's containerd should run pods with. The offline node image carries crun
 * (C) beside runc (Go) and says so in a label; any other image runs runc, as kind ships it.
 */
export type NodeRuntime = 'runc' | 'crun';

/** The runtime the image's label names; runc for an image without it, or one not pulled yet. */
export async function nodeRuntime(image: string): Promise<NodeRuntime> {
  const format = `{{index .Config.Labels "${RUNTIME_LABEL}"}}`;
  const label = (await q`docker image inspect -f ${format} ${image}`.nothrow()).stdout.trim();
  return label === 'crun' ? 'crun' : 'runc';
}

/**
 * crun for every pod, under the cgroupfs driver. With crun a pod's start cost its node about 40 % less
 * CPU than with runc, its stop a third less (docs/cluster.md#crun-instead-of-runc): containerd starts
 * its runtime four times a pod, and runc is a Go program. crun manages the cgroups itself: through
 * systemd it would need D-Bus's system bus, which a kind node lacks (runc dials systemd's own socket).
 * The kubelet must use the same driver; runc under cgroupfs cost what it did under systemd.
 */
const crunPatches = {
  containerd: ['runc', 'test-handler'].map(
    (name) =>
      `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${name}.options]\n  BinaryName = "/usr/bin/crun"\n  SystemdCgroup = false\n`,
  ),
  kubelet: { cgroupDriver: 'cgroupfs' },
};

/** kind's cluster config: NodePorts published on 127.0.0.1 (control plane), host quirks handled. */
export function kindConfig(
  spec: ClusterSpec,
  nodeImage: string,
  host: HostQuirks,
  kubernetesMinor: string = defaultRelease.minor,
  runtime: NodeRuntime = 'runc',
): string {
  const ports = [];
  for (let port = spec.nodePorts.first; port <= spec.nodePorts.last; port++) {
    ports.push({ containerPort: port, hostPort: port, listenAddress: '127.0.0.1', protocol: 'TCP' });
  }
  const controlPlane: Record<string, unknown> = {
    role: 'control-plane',
    image: nodeImage,
    extraPortMappings: ports,
  };
  if (spec.workers > 0 && spec.controlPlaneRunsPods) {
    // kubeadm taints a control plane that has workers; this one takes pods like any node.
    controlPlane.kubeadmConfigPatches = ['kind: InitConfiguration\nnodeRegistration:\n  taints: []\n'];
  }
  const nodes: Record<string, unknown>[] = [controlPlane];
  for (let i = 0; i < spec.workers; i++) nodes.push({ role: 'worker', image: nodeImage });
  const config: Record<string, unknown> = {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: spec.name,
    networking: { apiServerAddress: '127.0.0.1' },
    nodes,
  };
  // One control plane has nobody to elect: without leader election the controller manager and the
  // scheduler write no lease every 2 s, and cannot lose one on a starved machine.
  const patches = [controlPlanePatch(kubernetesMinor)];
  // Kubelet settings reach every node through kubeadm's kubelet-config ConfigMap. From 1.35 the kubelet
  // refuses cgroup v1 unless told otherwise (KEP-5573); hosts on cgroup v2 get nothing.
  const kubelet = {
    ...(host.cgroupV1 ? { failCgroupV1: false } : {}),
    ...(runtime === 'crun' ? crunPatches.kubelet : {}),
  };
  if (Object.keys(kubelet).length > 0) patches.push(stringify({ kind: 'KubeletConfiguration', ...kubelet }));
  config.kubeadmConfigPatches = patches;
  const containerd = runtime === 'crun' ? [...crunPatches.containerd] : [];
  if (host.lacksSysResource) {
    // Negative oom_score_adj is refused where CAP_SYS_RESOURCE is missing; without this, every pod
    // sandbox fails with "can't get final child's PID from pipe: EOF".
    containerd.push('[plugins."io.containerd.grpc.v1.cri"]\n  restrict_oom_score_adj = true\n');
  }
  if (containerd.length > 0) config.containerdConfigPatches = containerd;
  return stringify(config);
}

export type ClusterState = 'absent' | 'healthy' | 'broken';

export const nodeNames = (spec: ClusterSpec): string[] => [
  `${spec.name}-control-plane`,
  ...Array.from({ length: spec.workers }, (_, i) => `${spec.name}-worker${i ? i + 1 : ''}`),
];

/** A bash script run in each node of a cluster at once: its output per node, for the nodes where it exited 0. */
export async function inEachNode(spec: ClusterSpec, script: string): Promise<Map<string, string>> {
  const outputs = await Promise.all(
    nodeNames(spec).map(
      async (node) => [node, await q`docker exec ${node} bash -c ${script}`.nothrow()] as const,
    ),
  );
  return new Map(outputs.filter(([, out]) => out.exitCode === 0).map(([node, out]) => [node, out.stdout]));
}

/** kubectl inside the control-plane node, as cluster admin: works before any kubeconfig of ours exists. */
export const controlPlaneKubectl = (spec: ClusterSpec): string[] => [
  'docker',
  'exec',
  nodeNames(spec)[0] as string,
  'kubectl',
  '--kubeconfig=/etc/kubernetes/admin.conf',
];

/** Each node's name and the version its kubelet reports, asked inside the control plane. */
export async function nodeVersions(spec: ClusterSpec): Promise<Array<{ name: string; kubelet: string }>> {
  const path = '{range .items[*]}{.metadata.name} {.status.nodeInfo.kubeletVersion}{"\\n"}{end}';
  const out = await q`${controlPlaneKubectl(spec)} get nodes -o ${`jsonpath=${path}`}`;
  return out.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [name = '', kubelet = ''] = line.split(' ');
      return { name, kubelet };
    });
}

/**
 * An idle cluster still costs CPU (on 2 cores the three-node one took 0.28 cores doing nothing): `pnpm
 * e2e` freezes one it will not use for a while (docker pause: the cgroup freezer, no process runs) and
 * thaws it before use.
 */
export async function pauseCluster(spec: ClusterSpec): Promise<number> {
  return nodesIn(spec, 'running', 'pause');
}

/** Thaws a paused cluster's nodes; returns whether any was paused. */
export async function unpauseCluster(spec: ClusterSpec): Promise<boolean> {
  return (await nodesIn(spec, 'paused', 'unpause')) > 0;
}

/** Applies `docker pause|unpause` to the cluster's nodes in the given state; returns how many. */
async function nodesIn(spec: ClusterSpec, state: string, verb: 'pause' | 'unpause'): Promise<number> {
  const nodes = [];
  for (const node of nodeNames(spec)) {
    const status = await q`docker inspect -f {{.State.Status}} ${node}`.nothrow();
    if (status.stdout.trim() === state) nodes.push(node);
  }
  if (nodes.length) await q`docker ${verb} ${nodes}`;
  return nodes.length;
}

export async function clusterState(kind: string, spec: ClusterSpec = cluster): Promise<ClusterState> {
  const clusters = (await q`${kind} get clusters`.nothrow()).stdout.split('\n').map((l) => l.trim());
  if (!clusters.includes(spec.name)) return 'absent';
  const nodes = nodeNames(spec);
  const thawedAt = Date.now();
  if (!(await unpauseCluster(spec))) return readyState(spec, nodes);
  // A thawed Node still reads Ready from before the pause, and the node controller, whose clock jumped,
  // may mark it Unknown a moment later: healthy once every kubelet has renewed its Lease since the thaw
  // (every 10 s), twice in a row 6 s apart (one pass of the node controller, every 5 s).
  let healthyReads = 0;
  for (let i = 1; ; i++) {
    const state = await readyState(spec, nodes, thawedAt);
    healthyReads = state === 'healthy' ? healthyReads + 1 : 0;
    if (healthyReads === 2 || i >= 30) return state;
    await new Promise((resolve) => setTimeout(resolve, state === 'healthy' ? 6000 : 2000));
  }
}

async function readyState(spec: ClusterSpec, nodes: string[], renewedSince = 0): Promise<ClusterState> {
  for (const node of nodes) {
    const running = await q`docker inspect -f {{.State.Running}} ${node}`.nothrow();
    if (running.stdout.trim() !== 'true') return 'broken';
  }
  const kubectl = controlPlaneKubectl(spec);
  const ready = await q`${kubectl} get --raw=/readyz`.nothrow();
  if (ready.exitCode !== 0 || !ready.stdout.includes('ok')) return 'broken';
  const readyPath = '{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}';
  const statuses = (await q`${kubectl} get nodes -o ${`jsonpath=${readyPath}`}`.nothrow()).stdout
    .trim()
    .split('\n');
  if (statuses.length !== nodes.length || !statuses.every((s) => s === 'True')) return 'broken';
  if (!renewedSince) return 'healthy';
  const renewPath = '{range .items[*]}{.spec.renewTime}{"\\n"}{end}';
  const renewed = (
    await q`${kubectl} get leases -n kube-node-lease -o ${`jsonpath=${renewPath}`}`.nothrow()
  ).stdout
    .trim()
    .split('\n')
    .filter((t) => Date.parse(t) > renewedSince);
  return renewed.length >= nodes.length ? 'healthy' : 'broken';
}

/** Creates the cluster, or reuses a healthy one; a half-alive one is deleted and created again. */
export async function ensureCluster(
  kind: string,
  nodeImage: string,
  spec: ClusterSpec = cluster,
  kubernetesMinor: string = defaultRelease.minor,
): Promise<'reused' | 'created'> {
  const configFile = cachePath(`kind-config-${spec.name}.yaml`);
  const config = kindConfig(
    spec,
    nodeImage,
    { lacksSysResource: await lacksSysResource(), cgroupV1: cgroupV1() },
    kubernetesMinor,
    await nodeRuntime(nodeImage),
  );
  const state = await clusterState(kind, spec);
  if (state === 'healthy') {
    const controlPlane = nodeNames(spec)[0] as string;
    const image = (await q`docker inspect -f {{.Config.Image}} ${controlPlane}`.nothrow()).stdout.trim();
    const ports = await publishedNodePorts(controlPlane);
    const wanted = specNodePorts(spec);
    const previous = await readFile(configFile, 'utf8').catch(() => '');
    if (image !== nodeImage) info(`cluster runs ${image}, want ${nodeImage}: recreating`);
    else if (ports.join() !== wanted.join()) {
      info(`cluster publishes ${describePorts(ports)}, want ${describePorts(wanted)}: recreating`);
    } else if (previous !== config)
      info(`cluster ${spec.name} was made from another kind config: recreating`);
    else return 'reused';
  }
  if (state === 'broken') warn(`cluster ${spec.name} exists but is not healthy: recreating it`);
  if (state !== 'absent') await deleteCluster(kind, spec);
  await mkdir(cachePath(), { recursive: true });
  await writeFile(configFile, config);
  await removeStaleLock(kubeconfigPath(spec));
  await logged(`kind-create-${spec.name}`, kind, [
    'create',
    'cluster',
    '--config',
    configFile,
    '--kubeconfig',
    kubeconfigPath(spec),
    '--wait',
    '180s',
    '--retain',
  ]).catch(async (error: Error) => {
    const logs = cachePath('logs', `kind-export-${spec.name}`);
    await q`${kind} export logs ${logs} --name ${spec.name}`.nothrow();
    await deleteCluster(kind, spec);
    throw new Error(`${error.message}\n(node logs exported to ${logs})`);
  });
  return 'created';
}

const specNodePorts = (spec: ClusterSpec): number[] =>
  Array.from({ length: spec.nodePorts.last - spec.nodePorts.first + 1 }, (_, i) => spec.nodePorts.first + i);

const describePorts = (ports: number[]) =>
  ports.length ? `NodePorts ${ports[0]}-${ports.at(-1)} (${ports.length})` : 'no NodePorts';

/** The NodePorts a node container publishes on the host (`docker port`), sorted; the API server's is not one. */
export async function publishedNodePorts(node: string): Promise<number[]> {
  const out = (await q`docker port ${node}`.nothrow()).stdout;
  const ports = new Set<number>();
  for (const line of out.split('\n')) {
    const port = Number(/^(\d+)\/tcp ->/.exec(line)?.[1]);
    if (port >= 30000 && port <= 32767) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * Deletes the cluster's nodes and its entry in our own kubeconfig file. Without `--kubeconfig`, kind
 * edits ~/.kube/config under one lock file, and two clusters deleted at once (both found broken after
 * a reboot) collide on it: "failed to lock config file: open /root/.kube/config.lock: file exists".
 */
export async function deleteCluster(kind: string, spec: ClusterSpec = cluster): Promise<void> {
  await unpauseCluster(spec);
  await removeStaleLock(kubeconfigPath(spec));
  await logged(`kind-delete-${spec.name}`, kind, kindDeleteArgs(spec));
}

export const kindDeleteArgs = (spec: ClusterSpec): string[] => [
  'delete',
  'cluster',
  '--name',
  spec.name,
  '--kubeconfig',
  kubeconfigPath(spec),
];

/**
 * A lock left on our own kubeconfig file by a kind process that was killed would fail every later
 * create or delete; the file is ours alone and each cluster's steps run one at a time, so a lock older
 * than a minute has no owner.
 */
export async function removeStaleLock(kubeconfig: string, now = Date.now()): Promise<boolean> {
  const lock = `${kubeconfig}.lock`;
  const lockStat = await stat(lock).catch(() => undefined);
  if (!lockStat || now - lockStat.mtimeMs < 60_000) return false;
  await rm(lock, { force: true });
  warn(`removed a stale lock ${lock} (${Math.round((now - lockStat.mtimeMs) / 1000)} s old)`);
  return true;
}

/** The cluster's kubeconfig lives in a file of ours, so that nobody's ~/.kube/config is touched. */
export const kubeconfigPath = (spec: ClusterSpec = cluster) => cachePath(`kubeconfig-${spec.name}`);

export async function writeKubeconfig(kind: string, spec: ClusterSpec = cluster): Promise<string> {
  const out = await q`${kind} get kubeconfig --name ${spec.name}`;
  await writeFile(kubeconfigPath(spec), out.stdout, { mode: 0o600 });
  return kubeconfigPath(spec);
}
