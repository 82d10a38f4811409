// pnpm tutorial [--yes] [--lang ko|en] [--namespace NS] — the seed's tour on the cluster of
// `pnpm cluster:up`: deploy v1, rolling update to v2, history, undo to revision 1, canary 50 % then
// promote, blue/green switch. It runs the walkthrough's commands (docs/seed.md) (kubectl, pnpm rollout) while a
// sampler counts every request, draws each step's version mix, and exits 1 if a single request failed.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { K8sObject } from '@rollout-lab/manifests';
import type { RequestRecord, SamplerProcess } from '@rollout-lab/traffic';
import { parseAllDocuments } from 'yaml';
import { $ } from 'zx';
import { parseFlags } from './lib/args.js';
import { cachePath, cluster, repoRoot } from './lib/config.js';
import { main, UserError } from './lib/log.js';
import { type Lang, type Step, say } from './lib/tutorial-text.js';

// The workspace packages the tour runs on are built in main(), after the flags (Turborepo: at once when
// nothing changed): a fresh clone has no dist/ yet, and a static import of one would end in a stack trace.
let applyClaimingNodePorts: typeof import('@rollout-lab/manifests').applyClaimingNodePorts;
let formatErrors: typeof import('@rollout-lab/traffic').formatErrors;
let renderChart: typeof import('@rollout-lab/traffic').renderChart;
let startSamplerProcess: typeof import('@rollout-lab/traffic').startSamplerProcess;
let summarize: typeof import('@rollout-lab/traffic').summarize;
let untilAnswering: typeof import('@rollout-lab/traffic').untilAnswering;

async function loadPackages(): Promise<void> {
  const built = await $({
    cwd: repoRoot,
    quiet: true,
    nothrow: true,
  })`pnpm exec turbo run build --filter=@rollout-lab/manifests --filter=@rollout-lab/traffic --output-logs=errors-only`;
  if (built.exitCode !== 0) {
    console.error(`${built.stdout}${built.stderr}`.trim());
    throw new UserError('the workspace packages the tutorial needs did not build (see above)');
  }
  ({ applyClaimingNodePorts } = await import('@rollout-lab/manifests'));
  ({ formatErrors, renderChart, startSamplerProcess, summarize, untilAnswering } = await import(
    '@rollout-lab/traffic'
  ));
}

const USAGE = `usage: pnpm tutorial [--yes] [--lang ko|en] [--namespace NS] [--keep]

The seed's tour on the cluster of \`pnpm cluster:up\` (and \`pnpm images\`): deploy v1, rolling update to
v2, history, undo to revision 1, canary 50 % then promote, blue/green switch. Each step is explained, with
its commands and their kubectl equivalents; a sampler counts every request and draws the version mix.
Exit 1 if a single request failed.

  --yes           no pauses between steps (also without a TTY or with CI=true)
  --lang ko|en    the language (default: from LANG)
  --namespace NS  where the tour runs, and kept (default: rollout-lab-tutorial, deleted at the end)
  --keep          keep the default namespace too
  -h, --help      this text`;

// Set from the flags in main(), where a bad flag is a one-line error.
let lang: Lang = 'en';
let namespace = 'rollout-lab-tutorial';
let interactive = false;
const kubectlBin = process.env.ROLLOUT_LAB_KUBECTL ?? 'kubectl';
const kubeconfig = process.env.KUBECONFIG ?? cachePath(`kubeconfig-${cluster.name}`);
const [firstPort, lastPort] = (process.env.ROLLOUT_LAB_NODE_PORTS ?? '30080-30119').split('-').map(Number);
const env = { ...process.env, KUBECONFIG: kubeconfig };
const sh = $({ cwd: repoRoot, env, quiet: true });

/** What a step shows the reader: the command as docs/seed.md gives it (without our namespace flag). */
const show = (command: string) => console.log(`  $ ${command}`);

async function kubectl(args: string[], input?: string) {
  return sh({ input })`${kubectlBin} ${args} -n ${namespace}`;
}

/** An argument as a shell would need it to be typed. */
const quoted = (arg: string) =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\$`])/g, '\\$1')}"`;

async function rollout(args: string[]) {
  show(`pnpm rollout ${args.map(quoted).join(' ')}`);
  // Results (stdout) and progress (stderr) in the order they came, as a terminal would show them.
  const output: string[] = [];
  const child = spawn(process.execPath, ['scripts/rollout-cli.mjs', ...args, '-n', namespace], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => output.push(String(d)));
  child.stderr.on('data', (d: Buffer) => output.push(String(d)));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const lines = output.join('').trimEnd().split('\n');
  for (const line of lines.filter((l, i) => i > 0 || l.trim())) console.log(`    ${line}`);
  if (code !== 0) throw new UserError(`pnpm rollout ${args[0]} exited ${code}`);
}

/**
 * `kubectl apply -k overlay`, with the Service on the first free NodePort of the published range: the
 * overlay's own port may be another namespace's (the API server answers "provided port is already
 * allocated"). Returns the URL on 127.0.0.1.
 */
async function applyOverlay(overlay: string): Promise<string> {
  show(`kubectl apply -k k8s/overlays/${overlay}`);
  const rendered = (await sh`${kubectlBin} kustomize k8s/overlays/${overlay}`).stdout;
  const ports = Array.from(
    { length: (lastPort ?? 30119) - (firstPort ?? 30080) + 1 },
    (_, i) => (firstPort ?? 30080) + i,
  );
  try {
    const objects = parseAllDocuments(rendered)
      .map((doc) => doc.toJS() as K8sObject | null)
      .filter((o): o is K8sObject => o !== null);
    // blue-green has a second NodePort Service (the preview): each gets a free port of its own.
    const claimed = await applyClaimingNodePorts(
      objects,
      ports,
      (items) =>
        sh({
          input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
          nothrow: true,
        })`${kubectlBin} apply -n ${namespace} -f -`,
    );
    return `http://127.0.0.1:${claimed.get('svc-myapp')}/`;
  } catch (error) {
    throw new UserError(`kubectl apply -k k8s/overlays/${overlay}: ${(error as Error).message}`);
  }
}

async function deleteOverlay(overlay: string) {
  show(`kubectl delete -k k8s/overlays/${overlay}`);
  const rendered = (await sh`${kubectlBin} kustomize k8s/overlays/${overlay}`).stdout;
  await kubectl(['delete', '-f', '-', '--wait=false'], rendered);
}

const results: Array<{ step: Step; records: RequestRecord[] }> = [];

/** One step: what it does, the pause, then the commands with a sampler on the URL when there is one. */
async function step(id: Step, url: string | undefined, run: () => Promise<void>) {
  console.log(`\n── ${say(lang, `${id}.title`)} ──\n${say(lang, `${id}.what`)}`);
  if (interactive) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    await rl.question(say(lang, 'enter'));
    rl.close();
  }
  let sampler: SamplerProcess | undefined;
  if (url) {
    sampler = startSamplerProcess({
      url,
      rate: 25,
      durationMs: 600_000,
    });
    await sampler.started;
    await new Promise((r) => setTimeout(r, 2000));
  }
  await run();
  if (sampler) {
    await new Promise((r) => setTimeout(r, 2000));
    const { records, startedAtEpochMs } = await sampler.stop();
    results.push({ step: id, records });
    const s = summarize(records);
    console.log(renderChart(records, { title: say(lang, `${id}.title`) }));
    console.log(
      `  ${say(lang, 'requests')} ${s.requests}, ${say(lang, 'failed')} ${s.failed} (${formatErrors(s.errors)})`,
    );
    // When each failed request began (UTC), to set beside the cluster's events and logs.
    for (const r of records.filter((r) => r.error).slice(0, 10)) {
      const at = new Date(startedAtEpochMs + r.startedAt).toISOString();
      console.log(
        `  ✗ ${at} ${[r.error, r.detail].filter(Boolean).join(': ')} (${(r.endedAt - r.startedAt).toFixed(0)} ms)`,
      );
    }
  }
}

await main(async () => {
  const flags = parseFlags(
    'pnpm tutorial',
    {
      yes: 'boolean',
      lang: 'string',
      namespace: 'string',
      keep: 'boolean',
    },
    USAGE,
  );
  const chosen = flags.lang ?? (process.env.LANG?.startsWith('ko') ? 'ko' : 'en');
  if (chosen !== 'ko' && chosen !== 'en') {
    throw new UserError(`pnpm tutorial: --lang must be ko or en, got "${chosen}"`);
  }
  lang = chosen;
  namespace = flags.namespace ?? namespace;
  interactive = !flags.yes && process.stdin.isTTY === true && process.env.CI !== 'true';
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) {
    throw new UserError(`pnpm tutorial: --namespace must be a DNS label, got "${namespace}"`);
  }
  if (!existsSync(kubeconfig)) throw new UserError(say(lang, 'noCluster'));
  const reachable = await sh({ nothrow: true })`${kubectlBin} get --raw=/readyz`;
  if (reachable.exitCode !== 0) throw new UserError(say(lang, 'noCluster'));
  await loadPackages();
  console.log(say(lang, 'intro').replace('NS', namespace));
  await sh({ nothrow: true })`${kubectlBin} create namespace ${namespace}`;

  const rollingUrl = await (async () => {
    let url = '';
    await step('deploy', undefined, async () => {
      url = await applyOverlay('rolling');
      await rollout(['status', 'deploy-myapp']);
      await untilAnswering(url, { timeoutMs: 30_000 });
      console.log(`  ${say(lang, 'url')} ${url}`);
    });
    return url;
  })();
  await step('rolling', rollingUrl, () =>
    rollout([
      'set-image',
      'deploy-myapp',
      'myapp=rollout-lab/myapp:v2.0',
      '--cause',
      'upgrade to myapp v2.0',
      '--wait',
      '--kubectl',
    ]),
  );
  await step('history', undefined, () => rollout(['history', 'deploy-myapp']));
  await step('undo', rollingUrl, () =>
    rollout(['undo', 'deploy-myapp', '--to-revision', '1', '--wait', '--kubectl']),
  );

  await deleteOverlay('rolling');
  const canaryUrl = await applyOverlay('canary');
  await rollout(['status', 'deploy-myapp']);
  await rollout(['status', 'deploy-myapp-canary']);
  await untilAnswering(canaryUrl, { timeoutMs: 30_000 });
  await step('canary', canaryUrl, async () => {
    await rollout(['canary', 'deploy-myapp', 'deploy-myapp-canary', '--weight', '50', '--kubectl']);
    await new Promise((r) => setTimeout(r, 5000));
    await rollout(['promote', 'deploy-myapp', 'deploy-myapp-canary', '--kubectl']);
  });

  await deleteOverlay('canary');
  const blueGreenUrl = await applyOverlay('blue-green');
  await rollout(['status', 'deploy-myapp-blue']);
  await untilAnswering(blueGreenUrl, { timeoutMs: 30_000 });
  await step('bluegreen', blueGreenUrl, () => rollout(['switch', 'green', '--kubectl']));

  const all = results.flatMap((r) => r.records);
  const total = summarize(all);
  console.log(`\n── ${say(lang, 'summary')} ──`);
  for (const { step: id, records } of results) {
    const s = summarize(records);
    console.log(
      `  ${say(lang, `${id}.title`).padEnd(28)} ${String(s.requests).padStart(6)} ${say(lang, 'requests')}, ${s.failed} ${say(lang, 'failed')}`,
    );
  }
  console.log(
    `  ${say(lang, 'total')}: ${total.requests} ${say(lang, 'requests')}, ${total.failed} ${say(lang, 'failed')}`,
  );
  if (!flags.keep && !flags.namespace) {
    await sh({ nothrow: true })`${kubectlBin} delete namespace ${namespace} --wait=false`;
  }
  if (total.failed > 0) throw new UserError(say(lang, 'failedRequests').replace('N', String(total.failed)));
  console.log(say(lang, 'done'));
});
