import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { cachePath, type KubernetesRelease, offlineImages } from '../lib/config.js';
import { logged, q } from '../lib/exec.js';
import { dockerBuildEnv } from '../lib/host.js';
import { info, phase } from '../lib/log.js';
import type { Binaries } from './binaries.js';
import { buildKindBase } from './rootfs.js';

/** Files of the kind base that kube-proxy's image needs besides itself: iptables and its libraries. */
const KUBE_PROXY_EXTRAS = [
  '/usr/sbin/xtables-nft-multi',
  '/usr/sbin/xtables-legacy-multi',
  '/usr/sbin/conntrack',
];
const IPTABLES_LINKS = [
  'iptables',
  'iptables-save',
  'iptables-restore',
  'ip6tables',
  'ip6tables-save',
  'ip6tables-restore',
  'iptables-nft',
  'iptables-nft-save',
  'iptables-nft-restore',
  'ip6tables-nft',
  'ip6tables-nft-save',
  'ip6tables-nft-restore',
];

/** The image names kubeadm expects for this version, read from the kubeadm we built. */
async function requiredImages(kubeadm: string, version: string): Promise<Record<string, string>> {
  const out = await q`${kubeadm} config images list --kubernetes-version ${version}`;
  const images: Record<string, string> = {};
  for (const ref of out.stdout.trim().split('\n')) {
    const name = basename(ref.split(':')[0] as string);
    images[name] = ref.trim();
  }
  return images;
}

async function dockerBuild(context: string, dockerfile: string, tag: string): Promise<void> {
  await writeFile(join(context, 'Dockerfile'), dockerfile);
  await logged(
    `image-${basename(tag.split(':')[0] as string)}`,
    'docker',
    ['build', '-q', '-t', tag, context],
    {
      env: await dockerBuildEnv(),
    },
  );
}

/**
 * kube-proxy programs iptables, so its image carries the node's iptables (nft backend, like the
 * kubelet's) with every shared library it loads, copied out of the kind base image.
 */
async function kubeProxyRoot(kindBase: string, context: string): Promise<void> {
  const script = `
    set -eu
    files="${KUBE_PROXY_EXTRAS.join(' ')} $(ls /usr/lib/x86_64-linux-gnu/xtables/*.so)"
    libs=$(for f in $files; do ldd "$f" | awk '/=> \\// {print $3} /^[ \\t]*\\/lib/ {print $1}'; done | sort -u)
    tar -chf - $files $libs /usr/lib/x86_64-linux-gnu/xtables /etc/protocols /etc/ethertypes 2>/dev/null || true
  `;
  await logged('image-kube-proxy-root', 'sh', [
    '-c',
    `docker run --rm --entrypoint /bin/sh "$0" -c "$1" | tar -C "$2" -xf -`,
    kindBase,
    script,
    context,
  ]);
}

/** One FROM-scratch image per component, tagged as kubeadm expects, saved as tars for the node. */
async function buildComponentImages(
  bins: Binaries,
  kindBase: string,
  images: Record<string, string>,
  release: KubernetesRelease,
): Promise<string[]> {
  const tars: string[] = [];
  const dir = cachePath('images', release.version);
  await mkdir(dir, { recursive: true });
  for (const [name, binary] of Object.entries(bins.images)) {
    const tag = images[name];
    if (!tag) throw new Error(`kubeadm lists no image for ${name}: ${Object.values(images).join(', ')}`);
    const tar = join(dir, `${name}.tar`);
    tars.push(tar);
    const context = await mkdtemp(join(tmpdir(), `rollout-lab-${name}-`));
    try {
      const target = name === 'coredns' || name === 'pause' ? `/${name}` : `/usr/local/bin/${name}`;
      await mkdir(join(context, 'rootfs', 'usr/local/bin'), { recursive: true });
      await copyFile(binary, join(context, 'rootfs', target));
      if (name === 'kube-proxy') {
        await kubeProxyRoot(kindBase, join(context, 'rootfs'));
        for (const link of IPTABLES_LINKS) {
          await q`ln -sf xtables-nft-multi ${join(context, 'rootfs/usr/sbin', link)}`;
        }
      }
      const entrypoint = name === 'coredns' || name === 'pause' ? `ENTRYPOINT ["${target}"]\n` : '';
      await dockerBuild(
        context,
        `FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n${entrypoint}`,
        tag,
      );
      await logged(`image-save-${name}`, 'docker', ['save', '-o', tar, tag]);
    } finally {
      await rm(context, { recursive: true, force: true });
    }
  }
  return tars;
}

/** /kind/manifests that kind applies at create time; offline they must name no image to pull. */
const DEFAULT_CNI = `# The offline node has its pod network baked in (bridge plugin, /etc/cni/net.d): nothing to deploy.
apiVersion: v1
kind: ConfigMap
metadata:
  name: rollout-lab-cni
  namespace: kube-system
data:
  cni: bridge, configured in the node image
`;
const DEFAULT_STORAGE = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
`;

/**
 * What \`kind build node-image\` does, without a registry: start the base, copy in kubeadm/kubelet/
 * kubectl, write /kind/version and manifests, import the component images into containerd, commit.
 */
export async function buildNodeImage(bins: Binaries, release: KubernetesRelease): Promise<string> {
  const image = offlineImages.node(release);
  if ((await q`docker image inspect ${image}`.nothrow()).exitCode === 0) {
    info(`${image} is cached`);
    return image;
  }
  const images = await requiredImages(bins.node.kubeadm, release.version);
  const kindBase = await phase('kind base image (debootstrap + kind base files)', buildKindBase);
  const tars = await phase(
    'component images (apiserver, controller-manager, scheduler, proxy, etcd, coredns, pause)',
    () => buildComponentImages(bins, kindBase, images, release),
  );
  return phase(`node image ${image}`, async () => {
    const name = `rollout-lab-node-build-${process.pid}`;
    await q`docker run -d --name ${name} --privileged --entrypoint sleep ${kindBase} infinity`;
    const exec = (script: string) => q`docker exec ${name} sh -euc ${script}`;
    try {
      for (const [binary, file] of Object.entries(bins.node)) {
        await q`docker cp ${file} ${`${name}:/usr/bin/${binary}`}`;
      }
      await q`docker cp ${bins.crictl} ${`${name}:/usr/local/bin/crictl`}`;
      await exec(`chown root:root /usr/bin/kubeadm /usr/bin/kubelet /usr/bin/kubectl /usr/local/bin/crictl
        echo ${release.version} > /kind/version
        mkdir -p /kind/manifests
        sed -i 's#sandbox_image = .*#sandbox_image = "${images.pause}"#' /etc/containerd/config.toml`);
      await q({
        input: DEFAULT_CNI,
      })`docker exec -i ${name} sh -c ${'cat > /kind/manifests/default-cni.yaml'}`;
      await q({
        input: DEFAULT_STORAGE,
      })`docker exec -i ${name} sh -c ${'cat > /kind/manifests/default-storage.yaml'}`;
      await q`docker exec -d ${name} containerd`;
      await exec('for i in $(seq 100); do ctr version >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1');
      for (const tar of tars) {
        await logged('node-image-import', 'sh', [
          '-c',
          `docker exec -i "$0" ctr --namespace=k8s.io images import --label=io.cri-containerd.pinned=pinned --all-platforms --no-unpack --digests - < "$1"`,
          name,
          tar,
        ]);
      }
      info(
        (await exec('ctr --namespace=k8s.io images list -q | grep -v sha256 | sort')).stdout
          .trim()
          .replace(/\n/g, ', '),
      );
      await exec(
        'pkill containerd; for i in $(seq 50); do pidof containerd >/dev/null || exit 0; sleep 0.2; done',
      );
      // The entrypoint was overridden to keep the build container idle; STOPSIGNAL carries over from the base.
      await q`docker commit --change ${'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]'} ${name} ${image}`;
    } finally {
      await q`docker rm -f -v ${name}`.nothrow();
    }
    return image;
  });
}
