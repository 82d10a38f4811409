// pnpm bench:contention [--samplers 4] [--seconds 45] — what a steady Service's answers cost and how late
// they come when the machine is shared the way side-by-side test files share it: several samplers at
// 50/s on fresh connections, and pods starting and stopping in another namespace. A benchmark: it prints
// figures and fails only when it cannot run.
import { parseFlags } from './lib/args.js';
import { cachePath, cluster, repoRoot } from './lib/config.js';
import { counterDelta, cpuUse, readCpu, readTcpCounters } from './lib/host-metrics.js';
import { info, main, UserError } from './lib/log.js';
import { buildWorkspace } from './steps.js';

const USAGE = `usage: pnpm bench:contention [--samplers N] [--seconds S]

On the cluster of \`pnpm cluster:up\` (with \`pnpm images\`): a steady Service (3 pods) sampled at 50/s on
fresh connections, first by one sampler alone, then by N samplers at once while another namespace's
6 pods restart every 8 s. Prints per phase: requests, failed, latency p50/p99/max, the samplers' own lag
p99 (a timer that fired late), the samplers' CPU per request, and the cores each part of the host used.
The namespaces are deleted at the end.

  --samplers N  samplers at once in the second phase, 1-8 (default 4)
  --seconds S   each phase's length, 10-300 (default 45)
  -h, --help    this text`;

const TARGET = 'rl-bench-target';
const CHURN = 'rl-bench-churn';
const RATE = 50;

await main(async () => {
  const flags = parseFlags('pnpm bench:contention', { samplers: 'string', seconds: 'string' }, USAGE);
  const samplers = Number(flags.samplers ?? 4);
  const seconds = Number(flags.seconds ?? 45);
  if (!/^\d+$/.test(flags.samplers ?? '4') || samplers < 1 || samplers > 8)
    throw new UserError(`--samplers must be a whole number from 1 to 8, got ${flags.samplers}`);
  if (!/^\d+$/.test(flags.seconds ?? '45') || seconds < 10 || seconds > 300)
    throw new UserError(`--seconds must be a whole number from 10 to 300, got ${flags.seconds}`);

  const { $ } = await import('zx');
  const kubeconfig = process.env.KUBECONFIG ?? cachePath(`kubeconfig-${cluster.name}`);
  const k = $({ cwd: repoRoot, env: { ...process.env, KUBECONFIG: kubeconfig }, quiet: true });
  if ((await k`kubectl get --raw=/readyz`.nothrow()).exitCode !== 0)
    throw new UserError(`no cluster answers at ${kubeconfig}: run pnpm cluster:up and pnpm images first`);
  await buildWorkspace(['@rollout-lab/traffic', '@rollout-lab/manifests']);
  const traffic = await import('@rollout-lab/traffic');
  const { applyClaimingNodePorts } = await import('@rollout-lab/manifests');
  const { parseAllDocuments } = await import('yaml');

  const rendered = (await k`kubectl kustomize k8s/overlays/rolling`).stdout;
  // The range the cluster publishes on 127.0.0.1 (config.ts), not a copy of its numbers.
  const { first, last } = cluster.nodePorts;
  const ports = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const deploy = async (namespace: string, replicas: number) => {
    await k`kubectl delete namespace ${namespace} --ignore-not-found --wait=true --timeout=120s`;
    await k`kubectl create namespace ${namespace}`;
    await k`kubectl label namespace ${namespace} pod-security.kubernetes.io/enforce=restricted`;
    const objects = parseAllDocuments(rendered).map((d) => d.toJS());
    for (const o of objects) if (o.kind === 'Deployment') o.spec.replicas = replicas;
    const claimed = await applyClaimingNodePorts(
      objects,
      ports,
      (items) =>
        k({
          input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
          nothrow: true,
        })`kubectl apply -n ${namespace} -f -`,
    );
    await k`kubectl rollout status deployment/deploy-myapp -n ${namespace} --timeout=180s`;
    return `http://127.0.0.1:${claimed.get('svc-myapp')}/`;
  };

  try {
    info(`deploying ${TARGET} (3 pods) and ${CHURN} (6 pods)`);
    const url = await deploy(TARGET, 3);
    await deploy(CHURN, 6);

    const phase = async (name: string, count: number, churn: boolean) => {
      const cpuBefore = await readCpu();
      const tcpBefore = await readTcpCounters();
      const running = Array.from({ length: count }, () =>
        traffic.startSamplerProcess({ url, rate: RATE, durationMs: seconds * 1000 }),
      );
      let restarts = 0;
      const timer = churn
        ? setInterval(() => {
            restarts++;
            void k`kubectl rollout restart deployment/deploy-myapp -n ${CHURN}`.nothrow();
          }, 8000)
        : undefined;
      const results = await Promise.all(running.map((s) => s.done));
      const records = results.flatMap((r) => r.records);
      if (timer) clearInterval(timer);
      const samplersCpuMs = results.reduce((sum, r) => sum + (r.cpuMs ?? 0), 0);
      const host = cpuUse(await readCpu(), cpuBefore);
      const tcp = counterDelta(await readTcpCounters(), tcpBefore);
      const s = traffic.summarize(records);
      const ms = (n: number) => `${n.toFixed(0)} ms`;
      console.log(
        `${name}: ${s.requests} requests, failed ${s.failed}${s.failed ? ` (${traffic.formatErrors(s.errors)})` : ''}; latency p50 ${ms(s.latencyMs.p50)}, p99 ${ms(s.latencyMs.p99)}, max ${ms(s.latencyMs.max)}; sampler lag p99 ${ms(s.lagMs.p99)}; samplers' CPU ${(samplersCpuMs / Math.max(1, s.requests)).toFixed(2)} ms per request (${running[0]?.priority})${churn ? `; ${restarts} restarts of ${CHURN}` : ''}`,
      );
      console.log(
        `  host ${host.hostCores.toFixed(2)} cores busy: ${Object.entries(host.parts)
          .filter(([, v]) => v > 0)
          .map(([p, v]) => `${p} ${v.toFixed(2)}`)
          .join(', ')}`,
      );
      // Where a slow answer's time went: a SYN that went unanswered (connect ≥ 1 s: the kernel's
      // retransmit ladder), or an answer that came late on a connection made in time.
      const slow = records.filter((r) => r.error === undefined && r.endedAt - r.startedAt >= 500);
      const slowConnect = records.filter((r) => (r.connectMs ?? 0) >= 1000).length;
      console.log(
        `  answers ≥ 500 ms: ${slow.length} (of them connect ≥ 1 s: ${slow.filter((r) => (r.connectMs ?? 0) >= 1000).length}); connects ≥ 1 s: ${slowConnect}; host TCP: ${
          Object.entries(tcp)
            .filter(([, v]) => v > 0)
            .map(([k, v]) => `${k.replace(/^\w+\./, '')} ${v}`)
            .join(', ') || 'no retransmits, overflows or resets'
        }`,
      );
    };
    await phase('1 sampler, nothing else', 1, false);
    await phase(`${samplers} samplers, pods restarting`, samplers, true);
  } finally {
    await k`kubectl delete namespace ${TARGET} ${CHURN} --wait=false`.nothrow();
  }
});
