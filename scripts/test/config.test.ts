import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cluster, nodesCluster, offlineImages, onlineImages, resolveImagePlan } from '../lib/config.js';
import { kindConfig, nodeNames } from '../lib/kind.js';

describe('kindConfig', () => {
  it('publishes NodePorts 30080-30119 on 127.0.0.1 only, and the API server too', () => {
    const config = parse(kindConfig(cluster, 'img:1', false));
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
      parse(kindConfig(spec, 'img:1', false)).nodes[0].kubeadmConfigPatches;
    expect(patches(cluster).map((p: string) => parse(p))).toEqual([
      { kind: 'InitConfiguration', nodeRegistration: { taints: [] } },
    ]);
    expect(patches(nodesCluster)).toBeUndefined();
  });

  it("gives the node-restart cluster two workers and NodePorts 30120-30121, apart from the main cluster's", () => {
    const config = parse(kindConfig(nodesCluster, 'img:1', false));
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

  it('restricts oom_score_adj only where CAP_SYS_RESOURCE is missing', () => {
    const config = parse(kindConfig(cluster, 'img:1', true));
    expect(config.containerdConfigPatches).toEqual([
      '[plugins."io.containerd.grpc.v1.cri"]\n  restrict_oom_score_adj = true\n',
    ]);
  });
});

describe('resolveImagePlan', () => {
  it('takes a forced source from ROLLOUT_LAB_IMAGES', async () => {
    expect(await resolveImagePlan({ ROLLOUT_LAB_IMAGES: 'offline' })).toMatchObject({
      source: 'offline',
      nodeImage: offlineImages.node,
      appBaseImage: offlineImages.appBase,
    });
    expect(await resolveImagePlan({ ROLLOUT_LAB_IMAGES: 'online' })).toMatchObject({
      source: 'online',
      nodeImage: onlineImages.node,
      appBaseImage: 'node:24-slim',
    });
  });

  it('lets ROLLOUT_LAB_NODE_IMAGE pick the node image', async () => {
    const plan = await resolveImagePlan({
      ROLLOUT_LAB_IMAGES: 'online',
      ROLLOUT_LAB_NODE_IMAGE: 'kindest/node:v1.32.8@sha256:abd4',
    });
    expect(plan.nodeImage).toBe('kindest/node:v1.32.8@sha256:abd4');
  });

  it('rejects an unknown source by name', async () => {
    await expect(resolveImagePlan({ ROLLOUT_LAB_IMAGES: 'sometimes' })).rejects.toThrow(
      'ROLLOUT_LAB_IMAGES="sometimes": use online, offline or auto',
    );
  });
});
