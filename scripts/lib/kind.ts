import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { cachePath, cluster, versions } from './config.js';
import { logged, q } from './exec.js';
import { lacksSysResource } from './host.js';
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

/** kind's cluster config: one node, NodePorts published on 127.0.0.1, host quirks handled. */
export function kindConfig(nodeImage: string, lacksSysResource: boolean): string {
  const ports = [];
  for (let port = cluster.nodePorts.first; port <= cluster.nodePorts.last; port++) {
    ports.push({ containerPort: port, hostPort: port, listenAddress: '127.0.0.1', protocol: 'TCP' });
  }
  const config: Record<string, unknown> = {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: cluster.name,
    networking: { apiServerAddress: '127.0.0.1' },
    nodes: [{ role: 'control-plane', image: nodeImage, extraPortMappings: ports }],
  };
  if (lacksSysResource) {
    // Negative oom_score_adj is refused where CAP_SYS_RESOURCE is missing; without this, every pod
    // sandbox fails with "can't get final child's PID from pipe: EOF".
    config.containerdConfigPatches = [
      '[plugins."io.containerd.grpc.v1.cri"]\n  restrict_oom_score_adj = true\n',
    ];
  }
  return stringify(config);
}

export type ClusterState = 'absent' | 'healthy' | 'broken';

export async function clusterState(kind: string): Promise<ClusterState> {
  const clusters = (await q`${kind} get clusters`.nothrow()).stdout.split('\n').map((l) => l.trim());
  if (!clusters.includes(cluster.name)) return 'absent';
  const node = `${cluster.name}-control-plane`;
  const running = await q`docker inspect -f {{.State.Running}} ${node}`.nothrow();
  if (running.stdout.trim() !== 'true') return 'broken';
  const ready =
    await q`docker exec ${node} kubectl --kubeconfig=/etc/kubernetes/admin.conf get --raw=/readyz`.nothrow();
  if (ready.exitCode !== 0 || !ready.stdout.includes('ok')) return 'broken';
  const readyPath = 'jsonpath={.status.conditions[?(@.type=="Ready")].status}';
  const nodeReady =
    await q`docker exec ${node} kubectl --kubeconfig=/etc/kubernetes/admin.conf get node ${node} -o ${readyPath}`.nothrow();
  return nodeReady.stdout.trim() === 'True' ? 'healthy' : 'broken';
}

/** Creates the cluster, or reuses a healthy one; a half-alive one is deleted and created again. */
export async function ensureCluster(kind: string, nodeImage: string): Promise<'reused' | 'created'> {
  const state = await clusterState(kind);
  if (state === 'healthy') {
    const image = (
      await q`docker inspect -f {{.Config.Image}} ${`${cluster.name}-control-plane`}`.nothrow()
    ).stdout.trim();
    if (image === nodeImage) return 'reused';
    info(`cluster runs ${image}, want ${nodeImage}: recreating`);
  }
  if (state === 'broken') warn(`cluster ${cluster.name} exists but is not healthy: recreating it`);
  if (state !== 'absent') await deleteCluster(kind);
  const configFile = cachePath('kind-config.yaml');
  await mkdir(cachePath(), { recursive: true });
  await writeFile(configFile, kindConfig(nodeImage, await lacksSysResource()));
  await logged('kind-create', kind, [
    'create',
    'cluster',
    '--config',
    configFile,
    '--kubeconfig',
    kubeconfigPath(),
    '--wait',
    '180s',
    '--retain',
  ]).catch(async (error: Error) => {
    const logs = cachePath('logs', 'kind-export');
    await q`${kind} export logs ${logs} --name ${cluster.name}`.nothrow();
    await deleteCluster(kind);
    throw new Error(`${error.message}\n(node logs exported to ${logs})`);
  });
  return 'created';
}

export async function deleteCluster(kind: string): Promise<void> {
  await logged('kind-delete', kind, ['delete', 'cluster', '--name', cluster.name]);
}

/** The cluster's kubeconfig lives in a file of ours, so that nobody's ~/.kube/config is touched. */
export const kubeconfigPath = () => cachePath(`kubeconfig-${cluster.name}`);

export async function writeKubeconfig(kind: string): Promise<string> {
  const out = await q`${kind} get kubeconfig --name ${cluster.name}`;
  await writeFile(kubeconfigPath(), out.stdout, { mode: 0o600 });
  return kubeconfigPath();
}
