import { getDeployment, setImage, type Target, waitForRollout } from '@rollout-lab/rollout';
import { assertNoErrors } from '@rollout-lab/traffic';
import { describe, expect, it } from 'vitest';
import { $ } from 'zx';
import { cluster, deploy, kubectl, useNamespace } from '../support/cluster.js';
import { report, run, settledVersion, sleep } from '../support/traffic.js';

// Runs on the node-restart cluster (`pnpm e2e` makes it after the main suite): a control plane and two
// workers; kind names each node container after its node.
const docker = $({ quiet: true });

interface PodRow {
  name: string;
  node: string;
  phase: string;
}

async function pods(namespace: string): Promise<PodRow[]> {
  const list = JSON.parse(
    (await kubectl(['get', 'pods', '-n', namespace, '-l', 'app=myapp', '-o', 'json'])).stdout,
  );
  return list.items.map(
    (p: { metadata: { name: string }; spec: { nodeName?: string }; status: { phase: string } }) => ({
      name: p.metadata.name,
      node: p.spec.nodeName ?? '',
      phase: p.status.phase,
    }),
  );
}

const startedAt = async (container: string) =>
  (await docker`docker inspect -f {{.State.StartedAt}} ${container}`).stdout.trim();

/**
 * Waits until the restarted node's kubelet has renewed its Lease since the container started and the
 * node is Ready: right after a quick restart, the Node object alone still reads Ready from before.
 */
async function kubeletBack(node: string, since: number, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lease = await kubectl([
      'get',
      'lease',
      node,
      '-n',
      'kube-node-lease',
      '-o',
      'jsonpath={.spec.renewTime}',
    ]);
    const ready = await kubectl([
      'get',
      'node',
      node,
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
    ]);
    if (Date.parse(lease.stdout.trim()) > since && ready.stdout.trim() === 'True') return;
    if (Date.now() > deadline) {
      throw new Error(
        `${node}: no kubelet lease renewal since ${new Date(since).toISOString()} within ${timeoutMs} ms`,
      );
    }
    await sleep(500);
  }
}

describe('a worker node restarted in the middle of a rolling update', () => {
  const k8s = cluster();
  let target: Target;
  const ns = useNamespace('rl-node-restart', async (namespace) => {
    target = { namespace, name: 'deploy-myapp' };
    await deploy(k8s, 'overlays/test-node-restart', namespace, [target.name]);
  });

  it('drain, restart, uncordon: the rollout completes, ≥ 2 pods stay ready, not one request fails', async () => {
    const before = await pods(ns.name);
    const perNode: Record<string, number> = {};
    for (const p of before) perNode[p.node] = (perNode[p.node] ?? 0) + 1;
    // The spread constraint puts 2 of the 4 v1 pods on each worker.
    expect(Object.values(perNode)).toEqual([2, 2]);
    const victim = before[0]?.node as string;
    const victimPods = new Set(before.filter((p) => p.node === victim).map((p) => p.name));
    const booted = await startedAt(victim);

    const ready: number[] = [];
    let watching = true;
    const readiness = (async () => {
      while (watching) {
        ready.push((await getDeployment(k8s, target)).status?.readyReplicas ?? 0);
        await sleep(250);
      }
    })();

    const traffic = await run({ url: ns.url(), rate: 50 });
    await sleep(2000);
    await setImage(
      k8s,
      target,
      { myapp: 'rollout-lab/myapp:v2.0' },
      { cause: 'upgrade during a node restart' },
    );
    await sleep(3000);
    // Planned maintenance, the way Kubernetes expects it: evictions (deleted pods leave the endpoints
    // at once, then drain) within the PodDisruptionBudget, and only then the restart.
    const drainAt = traffic.mark('drain');
    await kubectl(['drain', victim, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=180s']);
    const leftOnVictim = (await pods(ns.name)).filter((p) => p.node === victim);
    const restartAt = traffic.mark('restart');
    // kind's node containers stop on SIGRTMIN+3 (systemd halts), then start again.
    await docker`docker restart ${victim}`;
    await kubeletBack(victim, Date.parse(await startedAt(victim)));
    await kubectl(['uncordon', victim]);
    const backAt = traffic.mark('node back');
    await waitForRollout(k8s, target, { untilOldPodsGone: true, timeoutMs: 240_000 });
    traffic.mark('rollout complete');
    await sleep(2000);
    const records = await traffic.finish(1000);
    watching = false;
    await readiness;

    const after = await pods(ns.name);
    const servedByVictim = records.filter((r) => r.pod && victimPods.has(r.pod)).length;
    await report(
      'worker node drained and restarted during a rolling update',
      records,
      {
        node: victim,
        'answers from its pods before the drain': servedByVictim,
        'fewest ready replicas': Math.min(...ready),
        'drain (s)': (restartAt - drainAt) / 1000,
        'restart until Ready (s)': (backAt - restartAt) / 1000,
      },
      { marks: traffic.marks },
    );

    assertNoErrors(records);
    // The fault hit the workload: the node's pods served traffic, were evicted, and the node restarted.
    expect(servedByVictim).toBeGreaterThan(0);
    expect(leftOnVictim).toEqual([]);
    expect(await startedAt(victim)).not.toBe(booted);
    expect(Math.min(...ready)).toBeGreaterThanOrEqual(2);
    expect(after.filter((p) => p.phase === 'Running')).toHaveLength(4);
    expect(settledVersion(records)).toBe('v2');
  });
});
