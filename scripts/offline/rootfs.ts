import { chmod, cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cachePath, offlineImages, RUNTIME_LABEL, versions } from '../lib/config.js';
import { logged, q } from '../lib/exec.js';
import { moduleDir } from '../lib/go.js';
import { dockerBuildEnv } from '../lib/host.js';
import { info } from '../lib/log.js';

/** What kind's base image installs, plus the container runtime that kind builds from source. */
const PACKAGES = [
  'systemd',
  'conntrack',
  'iptables',
  'nftables',
  'iproute2',
  'ethtool',
  'util-linux',
  'mount',
  'kmod',
  'libseccomp2',
  'pigz',
  'bash',
  'ca-certificates',
  'jq',
  'procps',
  'containerd',
  'runc',
  // What pods run with (kind.ts, crunPatches). runc stays the image's own default: a plain
  // `kind create cluster --image` of it runs runc under systemd, as kind's images do.
  'crun',
  'containernetworking-plugins',
];

/**
 * The offline node's pod network, without kindnet (an image we cannot pull): at boot, before the
 * kubelet, a node at a.b.c.N takes 10.244.N.0/24 (inside kind's podSubnet) for Debian's bridge plugin
 * and routes every other 10.244.M.0/24 to a.b.c.M. Nodes of one kind network share a /24 in practice,
 * so this serves one node or several, and a node that comes back on another address re-derives it.
 */
const PODNET_SCRIPT = `#!/bin/sh
set -eu
addr=$(ip -4 -o addr show dev eth0 | awk '{ split($4, a, "/"); print a[1]; exit }')
[ -n "$addr" ] || { echo "rollout-lab-podnet: eth0 has no IPv4 address" >&2; exit 1; }
n=\${addr##*.}
prefix=\${addr%.*}
mkdir -p /etc/cni/net.d
cat > /etc/cni/net.d/10-rollout-lab-bridge.conflist <<CONF
{
  "cniVersion": "0.4.0",
  "name": "rollout-lab",
  "plugins": [
    {
      "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "10.244.$n.0/24" }]], "routes": [{ "dst": "0.0.0.0/0" }] }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
CONF
i=1
while [ "$i" -le 254 ]; do
  [ "$i" = "$n" ] || ip route replace "10.244.$i.0/24" via "$prefix.$i" dev eth0 onlink
  i=$((i + 1))
done
echo "rollout-lab-podnet: pods on 10.244.$n.0/24, routes to 10.244.0.0/16 via $prefix.0/24"
`;

const PODNET_UNIT = `[Unit]
Description=rollout-lab pod network (bridge CNI config and routes to the other nodes)
Before=containerd.service kubelet.service
After=network.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/bin/rollout-lab-podnet

[Install]
WantedBy=multi-user.target
`;

async function debianMirror(): Promise<string> {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const uri =
      /^URIs:\s*(\S+\/debian)\s*$/m.exec(text)?.[1] ??
      /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\s+/m.exec(text)?.[1];
    if (uri) return uri;
  }
  return 'http://deb.debian.org/debian';
}

const chroot = (root: string, script: string) =>
  logged('rootfs-chroot', 'chroot', [root, '/bin/sh', '-euc', script]);

/**
 * kind's containerd config without its proxy plugins. kind ships containerd-fuse-overlayfs (for rootless
 * nodes) behind a proxy snapshotter; Debian has no such binary, and a containerd told of a socket that
 * never appears dials it again and again: strace counted about 45 failed connects a second per node, and
 * without them an idle node's containerd took 0.006 cores instead of 0.014 (2026-12-06).
 */
export function withoutProxyPlugins(config: string): string {
  let inProxy = false;
  return config
    .split('\n')
    .filter((line) => {
      // A table header, [name] or [[name]], with TOML's optional spaces inside the brackets.
      const table = /^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(#.*)?$/.exec(line)?.[1];
      if (table !== undefined) inProxy = table === 'proxy_plugins' || table.startsWith('proxy_plugins.');
      return !inProxy;
    })
    .join('\n');
}

/**
 * kind's base image, rebuilt without a registry: a debootstrapped Debian with systemd and Debian's
 * containerd/runc/CNI plugins, plus kind's own base files (entrypoint, containerd config, systemd units)
 * taken from the kind Go module. Imported into Docker as offlineImages.kindBase.
 */
export async function buildKindBase(): Promise<string> {
  const image = offlineImages.kindBase;
  if ((await q`docker image inspect ${image}`.nothrow()).exitCode === 0) return image;

  const root = cachePath('rootfs', image.replace(/[/:]/g, '_'));
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const mirror = await debianMirror();
  info(`debootstrap ${versions.debianSuite} from ${mirror}`);
  await logged('rootfs-debootstrap', 'debootstrap', [
    '--variant=minbase',
    `--include=${PACKAGES.join(',')}`,
    versions.debianSuite,
    root,
    mirror,
  ]);

  const files = join(await moduleDir('sigs.k8s.io/kind', versions.kind), 'images/base/files');
  await cp(files, root, { recursive: true, force: true });
  const containerdConfig = join(root, 'etc/containerd/config.toml');
  await writeFile(containerdConfig, withoutProxyPlugins(await readFile(containerdConfig, 'utf8')));
  for (const dir of ['usr/local/bin', 'kind/bin']) {
    for (const name of await readdir(join(root, dir))) await chmod(join(root, dir, name), 0o755);
  }
  await writeFile(join(root, 'usr/local/bin/rollout-lab-podnet'), PODNET_SCRIPT, { mode: 0o755 });
  await writeFile(join(root, 'etc/systemd/system/rollout-lab-podnet.service'), PODNET_UNIT);

  // The steps of kind's base Dockerfile, for Debian's packages, but for one: kind's createContainer hook
  // (mount-product-files.sh, which gives each container the node's product_uuid) is not in the base
  // runtime spec. crun runs it after a read-only root file system is made read-only, where its copy
  // fails, and every pod here has one; no pod here reads product_uuid, and the kubelet reads the node's.
  await chroot(
    root,
    `
    find /lib/systemd/system/sysinit.target.wants/ -name systemd-tmpfiles-setup.service -delete
    rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \
      /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \
      /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/*
    echo ReadKMsg=no >> /etc/systemd/journald.conf
    ln -sf "$(command -v systemd || echo /lib/systemd/systemd)" /sbin/init
    ln -sf /usr/bin/containerd /usr/local/bin/containerd
    mkdir -p /opt/cni /etc/kubernetes/manifests
    rm -rf /opt/cni/bin && ln -s /usr/lib/cni /opt/cni/bin
    systemctl enable kubelet.service containerd.service undo-mount-hacks.service rollout-lab-podnet.service
    systemctl mask systemd-binfmt.service
    ctr oci spec | jq 'del(.process.rlimits)' > /etc/containerd/cri-base.json
    apt-get clean
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc /usr/share/man /usr/share/locale
    `,
  );

  // docker import takes no STOPSIGNAL, so a build on top adds it (systemd stops on SIGRTMIN+3), and the
  // label that tells kindConfig to run pods with crun; node images inherit both.
  const imported = `${image}-imported`;
  const changes = ['ENV container=docker', 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]'];
  await logged('rootfs-import', 'sh', [
    '-c',
    `tar --numeric-owner -C "$0" -c . | docker import ${changes.map((c) => `--change '${c}'`).join(' ')} - "$1"`,
    root,
    imported,
  ]);
  await logged('rootfs-stopsignal', 'docker', ['build', '-q', '-t', image, '-'], {
    input: `FROM ${imported}\nSTOPSIGNAL SIGRTMIN+3\nLABEL ${RUNTIME_LABEL}=crun\n`,
    env: await dockerBuildEnv(),
  });
  await q`docker rmi ${imported}`.nothrow();
  await rm(root, { recursive: true, force: true });
  return image;
}
