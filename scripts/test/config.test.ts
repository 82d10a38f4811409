import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  cluster,
  clustersFor,
  countFromEnv,
  defaultRelease,
  kubernetesRelease,
  kubernetesReleases,
  nodesCluster,
  offlineImages,
  resolveImagePlan,
} from '../lib/config.js';
import { kindConfig, nodeNames } from '../lib/kind.js';

describe('kindConfig', () => {
  const v2 = { lacksSysResource: false, cgroupV1: false };

  it('publishes NodePorts 30080-30119 on 127.0.0.1 only, and the API server too', () => {
    const config = parse(kindConfig(cluster, 'img:1', v2));
    expect(config.networking).toEqual({ apiServerAddress: '127.0.0.1' });
    expect(config.nodes.map((n: { role: string }) => n.role)).toEqual(['control-plane', 'worker']);
    const ports = config.nodes[0].extraPortMappings;
    expect(ports.map((p: { hostPort: number }) => p.hostPort)).toEqual(
      [...Array(40).keys()].map((i) => 30080 + i),
    );
    expect(new Set(ports.map((p: { listenAddress: string }) => p.listenAddress))).toEqual(
      new Set(['127.0.0.1']),
    );
    expect(config.nodes[0].image).toBe('img:1');
    expect(config.containerdConfigPatches).toBeUndefined();
  });

  it("lets the main cluster's control plane take pods (no taint), but not the node-restart cluster's", () => {
    const patches = (spec: typeof cluster) =>
      parse(kindConfig(spec, 'img:1', v2)).nodes[0].kubeadmConfigPatches;
    expect(patches(cluster).map((p: string) => parse(p))).toEqual([
      { kind: 'InitConfiguration', nodeRegistration: { taints: [] } },
    ]);
    expect(patches(nodesCluster)).toBeUndefined();
  });

  it("gives the node-restart cluster two workers and NodePorts 30120-30121, apart from the main cluster's", () => {
    const config = parse(kindConfig(nodesCluster, 'img:1', v2));
    expect(config.nodes.map((n: { role: string }) => n.role)).toEqual(['control-plane', 'worker', 'worker']);
    expect(config.nodes[0].extraPortMappings.map((p: { hostPort: number }) => p.hostPort)).toEqual([
      30120, 30121,
    ]);
    expect(nodeNames(nodesCluster)).toEqual([
      'rollout-lab-nodes-control-plane',
      'rollout-lab-nodes-worker',
      'rollout-lab-nodes-worker2',
    ]);
  });

  const controlPlane = {
    kind: 'ClusterConfiguration',
    controllerManager: {
      extraArgs: [
        { name: 'leader-elect', value: 'false' },
        { name: 'enable-hostpath-provisioner', value: 'true' },
      ],
    },
    scheduler: { extraArgs: [{ name: 'leader-elect', value: 'false' }] },
    etcd: { local: { extraArgs: [{ name: 'unsafe-no-fsync', value: 'true' }] } },
  };

  it("turns leader election and etcd's fsync off in the kubeadm API kind writes for the minor (v1beta3's maps before 1.36)", () => {
    const patches = (minor: string) =>
      parse(kindConfig(cluster, 'img:1', v2, minor)).kubeadmConfigPatches.map((p: string) => parse(p));
    expect(patches('1.36')).toEqual([controlPlane]);
    expect(patches('1.35')).toEqual([
      {
        kind: 'ClusterConfiguration',
        controllerManager: { extraArgs: { 'leader-elect': 'false' } },
        scheduler: { extraArgs: { 'leader-elect': 'false' } },
        etcd: { local: { extraArgs: { 'unsafe-no-fsync': 'true' } } },
      },
    ]);
  });

  it('lets the kubelet run on cgroup v1 only on such hosts (failCgroupV1: false)', () => {
    const v2Patches = parse(kindConfig(cluster, 'img:1', v2)).kubeadmConfigPatches;
    expect(v2Patches.map((p: string) => parse(p))).toEqual([controlPlane]);
    const patches = parse(kindConfig(cluster, 'img:1', { ...v2, cgroupV1: true })).kubeadmConfigPatches;
    expect(patches.map((p: string) => parse(p))).toEqual([
      controlPlane,
      { kind: 'KubeletConfiguration', failCgroupV1: false },
    ]);
  });

  it('runs pods with crun under the cgroupfs driver, containerd and kubelet alike, only for an image that carries crun', () => {
    const config = parse(kindConfig(cluster, 'img:1', { ...v2, cgroupV1: true }, '1.37', 'crun'));
    expect(config.kubeadmConfigPatches.map((p: string) => parse(p))).toEqual([
      controlPlane,
      { kind: 'KubeletConfiguration', failCgroupV1: false, cgroupDriver: 'cgroupfs' },
    ]);
    expect(config.containerdConfigPatches.map((p: string) => p.split('\n'))).toEqual(
      ['runc', 'test-handler'].map((name) => [
        `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${name}.options]`,
        '  BinaryName = "/usr/bin/crun"',
        '  SystemdCgroup = false',
        '',
      ]),
    );
    const onV2 = parse(
      kindConfig(cluster, 'img:1', { lacksSysResource: true, cgroupV1: false }, '1.37', 'crun'),
    );
    expect(onV2.kubeadmConfigPatches.map((p: string) => parse(p)).at(-1)).toEqual({
      kind: 'KubeletConfiguration',
      cgroupDriver: 'cgroupfs',
    });
    expect(onV2.containerdConfigPatches).toHaveLength(3);
    expect(kindConfig(cluster, 'img:1', v2, '1.37', 'runc')).toBe(kindConfig(cluster, 'img:1', v2, '1.37'));
  });

  it('restricts oom_score_adj only where CAP_SYS_RESOURCE is missing', () => {
    const config = parse(kindConfig(cluster, 'img:1', { ...v2, lacksSysResource: true }));
    expect(config.containerdConfigPatches).toEqual([
      '[plugins."io.containerd.grpc.v1.cri"]\n  restrict_oom_score_adj = true\n',
    ]);
  });
});

describe('countFromEnv', () => {
  it('takes the fallback when unset or empty, else a whole number within its bounds', () => {
    expect(countFromEnv('N', 2, 8, {})).toBe(2);
    expect(countFromEnv('N', 2, 8, { N: '' })).toBe(2);
    expect(countFromEnv('N', 2, 8, { N: '3' })).toBe(3);
    expect(countFromEnv('N', 2, 8, { N: ' 8 ' })).toBe(8);
  });

  it.each(['0', '9', '-1', '1.5', 'two', '3x', '0x2', '1e1'])(
    'refuses %j, naming the variable and the bounds',
    (v) => {
      expect(() => countFromEnv('N', 2, 8, { N: v })).toThrow(
        `N must be a whole number from 1 to 8, got ${JSON.stringify(v)}`,
      );
    },
  );
});

describe('Kubernetes releases', () => {
  it('defaults to the newest minor and takes --k8s / ROLLOUT_LAB_K8S as "1.36" or "v1.36"', () => {
    expect(defaultRelease.minor).toBe('1.37');
    expect(kubernetesRelease(undefined)).toBe(defaultRelease);
    expect(kubernetesRelease('')).toBe(defaultRelease);
    expect(kubernetesRelease('1.36').version).toBe('v1.36.3');
    expect(kubernetesRelease('v1.35').version).toBe('v1.35.4');
  });

  it('refuses a minor it does not build, naming the known ones', () => {
    for (const asked of ['1.34', '1.37.2', 'latest', '1.3']) {
      expect(() => kubernetesRelease(asked)).toThrow(
        `Kubernetes ${JSON.stringify(asked)} is not one this project builds; known: 1.37, 1.36, 1.35`,
      );
    }
  });

  it('pins every online node image by digest, one per minor, of that minor', () => {
    for (const r of kubernetesReleases) {
      expect(r.kindest).toMatch(
        new RegExp(`^kindest/node:v${r.minor.replace('.', '\\.')}\\.\\d+@sha256:[0-9a-f]{64}$`),
      );
      expect(r.version).toMatch(new RegExp(`^v${r.minor.replace('.', '\\.')}\\.\\d+$`));
    }
  });

  it('gives each minor its own clusters and a port block that no other cluster publishes', () => {
    const specs = kubernetesReleases.flatMap((r) => Object.values(clustersFor(r)));
    expect(specs.map((s) => s.name)).toEqual([
      'rollout-lab',
      'rollout-lab-nodes',
      'rollout-lab-1-36',
      'rollout-lab-1-36-nodes',
      'rollout-lab-1-35',
      'rollout-lab-1-35-nodes',
    ]);
    const ports = specs.flatMap((s) =>
      Array.from({ length: s.nodePorts.last - s.nodePorts.first + 1 }, (_, i) => s.nodePorts.first + i),
    );
    expect(new Set(ports).size).toBe(ports.length);
    expect(Math.min(...ports)).toBeGreaterThanOrEqual(30000);
    expect(Math.max(...ports)).toBeLessThanOrEqual(32767);
    expect(clustersFor(defaultRelease).main).toEqual(cluster);
  });
});

describe('resolveImagePlan', () => {
  const v136 = kubernetesRelease('1.36');
  it('takes a forced source from ROLLOUT_LAB_IMAGES, and the node image from the release', async () => {
    expect(await resolveImagePlan(v136, { ROLLOUT_LAB_IMAGES: 'offline' })).toMatchObject({
      source: 'offline',
      kubernetes: v136,
      nodeImage: expect.stringMatching(/^rollout-lab\/kind-node:v1\.36\.3-r\d+$/),
      appBaseImage: offlineImages.appBase,
    });
    expect(await resolveImagePlan(v136, { ROLLOUT_LAB_IMAGES: 'online' })).toMatchObject({
      source: 'online',
      nodeImage: v136.kindest,
      appBaseImage: 'node:24-slim',
    });
  });

  it('lets ROLLOUT_LAB_NODE_IMAGE pick the node image', async () => {
    const plan = await resolveImagePlan(defaultRelease, {
      ROLLOUT_LAB_IMAGES: 'online',
      ROLLOUT_LAB_NODE_IMAGE: 'kindest/node:v1.37.1@sha256:abd4',
    });
    expect(plan.nodeImage).toBe('kindest/node:v1.37.1@sha256:abd4');
  });

  it('rejects an unknown source by name', async () => {
    await expect(resolveImagePlan(defaultRelease, { ROLLOUT_LAB_IMAGES: 'sometimes' })).rejects.toThrow(
      'ROLLOUT_LAB_IMAGES="sometimes": use online, offline or auto',
    );
  });
});
