import type { K8sObject } from '@rollout-lab/manifests';
import type { RequestRecord } from '@rollout-lab/traffic';
import { $ } from 'zx';
import type { ClusterSpec } from './config.js';
import { q } from './exec.js';
import { controlPlaneKubectl } from './kind.js';
import { info, warn } from './log.js';

/**
 * A fresh kind cluster keeps working for a while after its nodes read Ready (system pods starting, the
 * kube-proxy roll-out, first containers of each image), and on two cores that work can starve pods for
 * seconds. Both failed CI runs on record failed in the first files, on freshly created clusters, with
 * timeouts before their own change. So before a suite measures rollouts, the data path has to prove it
 * is steady: the rolling overlay, sampled as the tests sample, with nothing changing, must lose nothing.
 */
export const PREFLIGHT = { rate: 50, durationMs: 10_000, attempts: 4, pauseMs: 15_000 } as const;

const NAMESPACE = 'rl-preflight';
/** The e2e label: the suite's global set-up sweeps namespaces carrying it, so a leftover goes too. */
const LABEL = 'rollout-lab.dev/e2e=preflight';

export interface PreflightAttempt {
  requests: number;
  failed: number;
  errors: Record<string, number>;
  p99Ms: number;
}

/** One line per attempt: what a sample of a steady Service saw. */
export function describeAttempt(a: PreflightAttempt): string {
  const classes = Object.entries(a.errors)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  return `${a.requests} requests, ${a.failed} failed${classes ? ` (${classes})` : ''}, p99 ${a.p99Ms.toFixed(0)} ms`;
}

/** What a sample's records say, for describeAttempt. */
export function attemptOf(records: readonly RequestRecord[]): PreflightAttempt {
  const errors: Record<string, number> = {};
  const latencies: number[] = [];
  for (const r of records) {
    if (r.error) errors[r.error] = (errors[r.error] ?? 0) + 1;
    else latencies.push(r.endedAt - r.startedAt);
  }
  latencies.sort((a, b) => a - b);
  const failed = records.length - latencies.length;
  const p99Ms = latencies.length
    ? (latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0)
    : 0;
  return { requests: records.length, failed, errors, p99Ms };
}

const kubectl = (spec: ClusterSpec, args: string[]) => q`${controlPlaneKubectl(spec)} ${args}`;

/**
 * Waits for the cluster's system pods, then samples a steady Service until one sample of
 * PREFLIGHT.durationMs loses nothing (at most PREFLIGHT.attempts samples). Throws when none did: then the
 * suites would measure the machine, not the rollouts. Leaves nothing behind.
 */
export async function preflightDataPath(spec: ClusterSpec): Promise<PreflightAttempt[]> {
  const { renderOverlay, applyClaimingNodePorts } = await import('@rollout-lab/manifests');
  const { sampleInProcess, untilAnswering } = await import('@rollout-lab/traffic');
  await kubectl(spec, [
    'wait',
    '--for=condition=Ready',
    'pods',
    '--all',
    '-n',
    'kube-system',
    '--timeout=180s',
  ]);
  await kubectl(spec, ['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true']);
  await kubectl(spec, ['create', 'namespace', NAMESPACE]);
  await kubectl(spec, ['label', 'namespace', NAMESPACE, LABEL]);
  try {
    const objects = await renderOverlay('rolling');
    const ports = Array.from(
      { length: spec.nodePorts.last - spec.nodePorts.first + 1 },
      (_, i) => spec.nodePorts.first + i,
    );
    const claimed = await applyClaimingNodePorts(objects, ports, async (some: K8sObject[]) => {
      const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: some });
      // `docker exec -i`: the objects go in on stdin.
      const [, , ...inNode] = controlPlaneKubectl(spec);
      const r = await $({
        quiet: true,
        input: list,
        nothrow: true,
      })`docker exec -i ${inNode} apply -n ${NAMESPACE} -f -`;
      return { exitCode: r.exitCode, stderr: r.stderr };
    });
    const port = [...claimed.values()][0];
    if (port === undefined) throw new Error('preflight: the rolling overlay has no NodePort Service');
    await kubectl(spec, ['rollout', 'status', '-n', NAMESPACE, 'deployment/deploy-myapp', '--timeout=180s']);
    const url = `http://127.0.0.1:${port}/`;
    // A new NodePort answers once kube-proxy has programmed it; the sample measures what follows.
    await untilAnswering(url, { accept: ({ status }) => status === 200 }).catch((error: Error) => {
      throw new Error(`preflight: ${error.message}, after its pods were ready`);
    });

    const attempts: PreflightAttempt[] = [];
    for (let i = 1; i <= PREFLIGHT.attempts; i++) {
      const { records } = await sampleInProcess({
        url,
        rate: PREFLIGHT.rate,
        durationMs: PREFLIGHT.durationMs,
      });
      const attempt = attemptOf(records);
      attempts.push(attempt);
      if (attempt.failed === 0) {
        info(`cluster ${spec.name}: steady Service, ${describeAttempt(attempt)} (sample ${i})`);
        return attempts;
      }
      warn(
        `cluster ${spec.name}: not steady yet, ${describeAttempt(attempt)} with nothing changing (sample ${i})`,
      );
      if (i < PREFLIGHT.attempts) await new Promise((resolve) => setTimeout(resolve, PREFLIGHT.pauseMs));
    }
    throw new Error(
      `cluster ${spec.name} does not serve a steady Service without loss: ${attempts.length} samples of ` +
        `${PREFLIGHT.durationMs / 1000} s each lost requests (${attempts.map(describeAttempt).join('; ')}); ` +
        'the suites would measure this machine, not the rollouts: look for other load on its CPUs',
    );
  } finally {
    await kubectl(spec, ['delete', 'service', '-n', NAMESPACE, 'svc-myapp', '--ignore-not-found']).nothrow();
    await kubectl(spec, ['delete', 'namespace', NAMESPACE, '--wait=false']).nothrow();
  }
}
