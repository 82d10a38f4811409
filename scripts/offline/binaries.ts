import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cachePath, type KubernetesRelease, repoRoot, versions } from '../lib/config.js';
import { logged } from '../lib/exec.js';
import { builtBinaries, corednsMain, type GoBuild, goBuild, kubernetesStagingReplaces } from '../lib/go.js';
import { phase } from '../lib/log.js';

export interface Binaries {
  /** kubeadm, kubelet, kubectl: copied into the node's /usr/bin. */
  node: Record<'kubeadm' | 'kubelet' | 'kubectl', string>;
  /** One binary per component image. */
  images: Record<
    | 'kube-apiserver'
    | 'kube-controller-manager'
    | 'kube-scheduler'
    | 'kube-proxy'
    | 'etcd'
    | 'coredns'
    | 'pause',
    string
  >;
  crictl: string;
}

function kubernetesLdflags(version: string): string[] {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const stamp = (pkg: string) => [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
  ];
  // Without the stamps kubeadm sees v0.0.0 and refuses the control plane version.
  return [...stamp('k8s.io/component-base/version'), ...stamp('k8s.io/client-go/pkg/version')];
}

const KUBERNETES_COMMANDS = [
  'kubeadm',
  'kubelet',
  'kubectl',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kube-proxy',
].map((cmd) => `k8s.io/kubernetes/cmd/${cmd}`);

const kubernetesBuild = (release: KubernetesRelease) => ({
  name: `kubernetes-${release.version}`,
  packages: KUBERNETES_COMMANDS,
});

/** Whether this minor's Kubernetes binaries are in the cache (nothing to build). */
export const kubernetesBuilt = (release: KubernetesRelease): boolean =>
  builtBinaries(kubernetesBuild(release)) !== undefined;

/**
 * The Kubernetes binaries of one release (the longest build by far: 812 s alone on 2 cores, about 20
 * minutes at idle priority beside a suite), built into the cache. `priority: 'idle'` builds ahead of need on CPU time nothing else wants.
 */
export function buildKubernetes(
  release: KubernetesRelease,
  options: Pick<GoBuild, 'priority' | 'signal' | 'cpuSeconds'> = {},
): Promise<Record<string, string>> {
  const k8s = release.version;
  return phase(
    `build Kubernetes ${k8s} (kubeadm, kubelet, kubectl, control plane, kube-proxy)${options.priority === 'idle' ? ' ahead, at idle CPU priority' : ''}`,
    () =>
      goBuild({
        ...kubernetesBuild(release),
        module: 'k8s.io/kubernetes',
        version: k8s,
        ldflags: kubernetesLdflags(k8s),
        replaces: (dir) => kubernetesStagingReplaces(dir, k8s),
        ...options,
      }),
  );
}

/** Every Go program the offline node needs, built from the Go module proxy (cached by version). */
export async function buildBinaries(release: KubernetesRelease): Promise<Binaries> {
  const kube = await buildKubernetes(release);
  // One binary per published module; the cache key and the log line come from its name and version.
  const single = (label: string, build: GoBuild) => phase(`build ${label}`, () => goBuild(build));
  const etcd = await single(`etcd ${versions.etcd}`, {
    name: `etcd-${versions.etcd}`,
    module: 'go.etcd.io/etcd/server/v3',
    version: versions.etcd,
    packages: ['go.etcd.io/etcd/server/v3'],
  });
  const coredns = await single(`CoreDNS ${versions.coredns} (no cloud or tracing plugins)`, {
    name: `coredns-${versions.coredns}-no-cloud`,
    module: 'github.com/coredns/coredns',
    version: versions.coredns,
    packages: ['./cmd/coredns'],
    sources: async (dir) => ({
      'cmd/coredns/main.go': corednsMain(await readFile(join(dir, 'plugin.cfg'), 'utf8')),
    }),
  });
  const crictl = await single(`crictl ${versions.crictl}`, {
    name: `crictl-${versions.crictl}`,
    module: 'sigs.k8s.io/cri-tools',
    version: versions.crictl,
    packages: ['sigs.k8s.io/cri-tools/cmd/crictl'],
    ldflags: [`-X sigs.k8s.io/cri-tools/pkg/version.Version=${versions.crictl}`],
  });
  const pause = cachePath('bin', 'pause', 'pause');
  await phase('build pause', () =>
    logged('go-build-pause', 'go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', pause, '.'], {
      cwd: join(repoRoot, 'scripts/offline/pause'),
      env: { ...process.env, CGO_ENABLED: '0' },
    }),
  );
  const get = (bins: Record<string, string>, name: string) => bins[name] as string;
  return {
    node: { kubeadm: get(kube, 'kubeadm'), kubelet: get(kube, 'kubelet'), kubectl: get(kube, 'kubectl') },
    images: {
      'kube-apiserver': get(kube, 'kube-apiserver'),
      'kube-controller-manager': get(kube, 'kube-controller-manager'),
      'kube-scheduler': get(kube, 'kube-scheduler'),
      'kube-proxy': get(kube, 'kube-proxy'),
      // go names a /v3 module's binary after the element before it
      etcd: get(etcd, 'server'),
      coredns: get(coredns, 'coredns'),
      pause,
    },
    crictl: get(crictl, 'crictl'),
  };
}
