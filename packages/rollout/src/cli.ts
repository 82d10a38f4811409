#!/usr/bin/env node
// rollout: kubectl-like rollout commands on the rollout-lab library. Exit 0 ok, 1 failed, 2 bad usage.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { dumpYaml } from '@kubernetes/client-node';
import {
  formatErrors,
  headerClassifier,
  renderChart,
  sample,
  startSampler,
  summarize,
} from '@rollout-lab/traffic';
import { switchColor } from './bluegreen.js';
import { abortCanary, promoteCanary, setCanaryWeight } from './canary.js';
import {
  type CommandContext,
  deploymentName,
  durationFlag,
  MAX_REPLICAS,
  MAX_REVISION,
  namespaceName,
  numberFlag,
  UsageError,
} from './cli/context.js';
import { getCommand } from './cli/get.js';
import { verifyCommand } from './cli/verify.js';
import { type Cluster, connect } from './client.js';
import {
  formatHistory,
  history,
  type Outcome,
  restart,
  scale,
  setImage,
  setImageWithAutoUndo,
  setPaused,
  undo,
  waitForRollout,
} from './deployment.js';
import { InvalidInputError, RolloutError } from './errors.js';
import { parseImageArgs } from './image-ref.js';
import type { Target } from './objects.js';

const USAGE = `usage: rollout <command> [arguments] [flags]

commands:
  status <deployment>                     wait until the rollout is complete (kubectl rollout status)
  set-image <deployment> <c=image>...     change container images; --cause records why
  history <deployment>                    revisions and change-causes; --revision N for one, --wide for more,
                                          -o json|yaml
  undo <deployment>                       back to the previous revision, or --to-revision N
  pause | resume | restart <deployment>   as kubectl rollout pause/resume/restart
  scale <deployment> --replicas N
  canary <stable> <canary> --weight P     split replicas so that the canary gets P % of new connections
  promote <stable> <canary>               stable takes the canary's template; canary to 0
  abort <stable> <canary>                 canary to 0; stable takes every replica back
  switch <blue|green>                     blue/green: scale the colour up, wait, switch the Service
  watch <url>                             sample a URL and draw the version mix live
  verify <deployment> --url URL (--image c=img... | --undo [--to-revision N] | --restart)
                                          make the change while sampling URL; exit 0 only with
                                          ≥ --min-requests requests and 0 failed
  get <deployment> [--watch]              revision, ReplicaSets and pods; --watch redraws it live
  completion bash                         a bash completion script: source <(rollout completion bash)
  help <command>                          that command's usage

flags:
  -n, --namespace NS        default "default"
      --context NAME        kubeconfig context      --kubeconfig FILE
      --cause TEXT          change-cause for set-image (default: the images)
      --wait                set-image/undo/restart/resume: wait until the old pods are gone
      --auto-undo           set-image: wait, and if the rollout stops progressing, undo it
      --timeout DURATION    for waits: 90s, 5m, 1h30m, plain seconds, 0 = no limit; default 5m
      --kubectl             also print the kubectl commands that do the same
  switch:  --service svc-myapp --prefix deploy-myapp --image c=image --scale-down-after DURATION
  watch:   --rate 20 --duration 60 --keep-alive
  verify:  --rate 50 --min-requests 1000 --settle 5 --keep-alive --report FILE.html -o json
           --undo-on-failure --cause TEXT
  get:     --watch --until-complete --url URL --rate 20 -o json|yaml
  -h, --help                --version`;

/** What an interruption leaves behind, for the SIGINT message (set by the commands that write). */
let interrupted = 'nothing was changed';
const onInterrupt = () => {
  console.error(`interrupted: ${interrupted}`);
  process.exit(130);
};
process.once('SIGINT', onInterrupt);

const options = {
  namespace: { type: 'string', short: 'n', default: 'default' },
  context: { type: 'string' },
  kubeconfig: { type: 'string' },
  cause: { type: 'string' },
  wait: { type: 'boolean', default: false },
  'auto-undo': { type: 'boolean', default: false },
  timeout: { type: 'string', default: '5m' },
  kubectl: { type: 'boolean', default: false },
  revision: { type: 'string' },
  'to-revision': { type: 'string' },
  wide: { type: 'boolean', default: false },
  replicas: { type: 'string' },
  weight: { type: 'string' },
  service: { type: 'string', default: 'svc-myapp' },
  prefix: { type: 'string', default: 'deploy-myapp' },
  image: { type: 'string', multiple: true },
  'scale-down-after': { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string', default: '60' },
  'keep-alive': { type: 'boolean', default: false },
  url: { type: 'string' },
  undo: { type: 'boolean' },
  restart: { type: 'boolean' },
  'min-requests': { type: 'string' },
  settle: { type: 'string' },
  report: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'undo-on-failure': { type: 'boolean' },
  watch: { type: 'boolean' },
  'until-complete': { type: 'boolean' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean' },
} as const;

/** One command's part of the usage: its line (and continuation lines), its flags line, the common flags. */
export function commandHelp(command: string): string {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^  (\\S+ \\| )*${command}( |$)`).test(l));
  if (start < 0)
    throw new UsageError(`unknown command ${JSON.stringify(command)}; rollout --help lists them`);
  const own = [lines[start] as string];
  for (let i = start + 1; i < lines.length && /^ {20,}\S/.test(lines[i] as string); i++)
    own.push(lines[i] as string);
  const flagsAt = lines.findIndex((l) => l.startsWith(`  ${command}:`));
  const flags = flagsAt < 0 ? [] : [lines[flagsAt] as string];
  for (let i = flagsAt + 1; flagsAt >= 0 && i < lines.length && /^ {11}\S/.test(lines[i] as string); i++) {
    flags.push(lines[i] as string);
  }
  const common = lines.slice(
    lines.indexOf('flags:') + 1,
    lines.findIndex((l) => /^ {2}switch:/.test(l)),
  );
  return [
    `usage: rollout ${own.join('\n').trim()}`,
    ...(flags.length ? ['', ...flags] : []),
    '',
    'flags:',
    ...common,
  ].join('\n');
}

/** Commands and flags come from USAGE and the parser's options, so the script never lags behind them. */
function bashCompletion(): string {
  const commands = [
    ...new Set(
      [...USAGE.matchAll(/^ {2}([a-z-]+(?: \| [a-z-]+)*) /gm)].flatMap((m) => (m[1] as string).split(' | ')),
    ),
  ];
  const flags = Object.entries(options).flatMap(([name, o]) => [
    `--${name}`,
    ...('short' in o ? [`-${o.short}`] : []),
  ]);
  return [
    '# bash completion for rollout (and kubectl-rollout_lab): source <(rollout completion bash)',
    '_rollout() {',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's own ${…}, not a template
    '  local cur="${COMP_WORDS[COMP_CWORD]}"',
    '  if [ "$COMP_CWORD" -eq 1 ]; then',
    `    COMPREPLY=($(compgen -W "${commands.join(' ')}" -- "$cur"))`,
    '  elif [[ "$cur" == -* ]]; then',
    `    COMPREPLY=($(compgen -W "${flags.join(' ')}" -- "$cur"))`,
    '  fi',
    '}',
    'complete -F _rollout rollout kubectl-rollout_lab',
  ].join('\n');
}

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** -o for read commands: json or yaml; anything else is a usage error. */
function outputFormat(raw: string | undefined): 'json' | 'yaml' | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'json' || raw === 'yaml') return raw;
  throw new UsageError(`-o supports json and yaml, got ${JSON.stringify(raw)}`);
}

function print(format: 'json' | 'yaml', value: unknown): void {
  process.stdout.write(format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : dumpYaml(value));
}

async function run(argv: string[]): Promise<void> {
  const { values, positionals } = (() => {
    try {
      return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message.split('\n')[0]);
    }
  })();
  const [command, ...args] = positionals;
  if (values.version) {
    console.log(`rollout ${VERSION}`);
    return;
  }
  if (command === 'help' && args[0]) {
    console.log(commandHelp(args[0]));
    return;
  }
  if (values.help && command) {
    console.log(commandHelp(command));
    return;
  }
  if (values.help || !command || command === 'help') {
    console.log(USAGE);
    if (!command && !values.help) throw new UsageError('no command given');
    return;
  }
  const timeoutMs = durationFlag('timeout', values.timeout);
  // Progress on stderr: stdout holds only results (what a script would read).
  const progress = (message: string) => console.error(`  ${message}`);
  const wait = { timeoutMs, onProgress: progress };
  /** Exactly `count` positionals (at least, with `more`): an extra word is refused, never ignored. */
  const need = (count: number, names: string, more = false) => {
    if (args.length < count) throw new UsageError(`${command} needs ${names}`);
    if (!more && args.length > count) {
      const hint =
        command === 'undo' && /^\d+$/.test(args[1] ?? '')
          ? `; for a revision write --to-revision ${args[1]}`
          : '';
      throw new UsageError(`${command} takes ${names}, got an extra ${JSON.stringify(args[count])}${hint}`);
    }
    // Names as Kubernetes has them, before any request: a "/" would reach another API path.
    if (command !== 'watch' && command !== 'switch')
      args.slice(0, command === 'set-image' ? 1 : count).forEach((a, i) => {
        args[i] = deploymentName(a);
      });
    namespaceName(values.namespace);
  };
  let clusterCache: Cluster | undefined;
  const cluster = () => {
    clusterCache ??= connect({ kubeconfig: values.kubeconfig, context: values.context });
    return clusterCache;
  };
  const target = (): Target => ({ namespace: values.namespace, name: args[0] as string });
  const equivalent = (line: string) => {
    if (values.kubectl) console.log(`  kubectl equivalent: ${line}`);
  };
  const report = async (outcome: Outcome, waitAfter?: Target) => {
    console.log(outcome.message);
    for (const line of outcome.kubectl) equivalent(line);
    // Waiting even when nothing changed: a rerun after an interruption then converges on the finished state.
    if (waitAfter && values.wait) {
      await waitForRollout(cluster(), waitAfter, { ...wait, untilOldPodsGone: true });
      console.log(`deployment ${JSON.stringify(waitAfter.name)} successfully rolled out; no old pods left`);
    }
  };

  const commandContext = (): CommandContext => ({
    command,
    args,
    namespace: values.namespace,
    timeoutMs,
    cluster,
    progress: (message) => console.error(`  ${message}`),
    setInterrupted: (message) => {
      interrupted = message;
    },
  });

  switch (command) {
    case 'status': {
      need(1, '<deployment>');
      const d = await waitForRollout(cluster(), target(), { ...wait, untilOldPodsGone: values.wait });
      console.log(`deployment ${JSON.stringify(d.metadata?.name)} successfully rolled out`);
      equivalent(`kubectl rollout status deployment/${args[0]} -n ${values.namespace}`);
      return;
    }
    case 'set-image': {
      need(2, '<deployment> <container=image>...', true);
      const images = parseImageArgs(args.slice(1));
      const cause = values.cause ? { cause: values.cause } : {};
      interrupted = `the new template may already be in the cluster: \`rollout status ${args[0]} -n ${values.namespace}\` shows the rollout; the same set-image again converges`;
      if (values['auto-undo']) {
        const guarded = await setImageWithAutoUndo(cluster(), target(), images, { ...cause, ...wait });
        await report(guarded.outcome);
        if (guarded.rolledBack) {
          const after = ((guarded.detectedAfterMs ?? 0) / 1000).toFixed(0);
          throw new RolloutError(`rolled back to the previous revision after ${after} s: ${guarded.reason}`);
        }
        console.log(`deployment ${JSON.stringify(args[0])} successfully rolled out; no old pods left`);
        return;
      }
      return report(await setImage(cluster(), target(), images, cause), target());
    }
    case 'history': {
      need(1, '<deployment>');
      const format = outputFormat(values.output);
      const revisionWanted =
        values.revision === undefined
          ? undefined
          : numberFlag('revision', values.revision, { min: 1, max: MAX_REVISION });
      const rows = await history(cluster(), target());
      if (format) {
        const chosen =
          revisionWanted === undefined ? rows : rows.filter((r) => r.revision === revisionWanted);
        return print(format, chosen);
      }
      if (revisionWanted !== undefined) {
        const revision = revisionWanted;
        const row = rows.find((r) => r.revision === revision);
        if (!row)
          throw new RolloutError(
            `revision ${revision} not found; known: ${rows.map((r) => r.revision).join(', ') || 'none'}`,
          );
        console.log(`deployment.apps/${args[0]} with revision #${revision}`);
        console.log(JSON.stringify(row, null, 2));
        return;
      }
      console.log(formatHistory(args[0] as string, rows, values.wide));
      equivalent(`kubectl rollout history deployment/${args[0]} -n ${values.namespace}`);
      return;
    }
    case 'undo': {
      need(1, '<deployment>');
      const to =
        values['to-revision'] === undefined
          ? undefined
          : numberFlag('to-revision', values['to-revision'], { min: 0, max: MAX_REVISION });
      interrupted = `the rollback may already be in the cluster: \`rollout status ${args[0]} -n ${values.namespace}\` shows it; undo --to-revision N again converges`;
      return report(await undo(cluster(), target(), to), target());
    }
    case 'pause':
    case 'resume':
      need(1, '<deployment>');
      return report(
        await setPaused(cluster(), target(), command === 'pause'),
        command === 'resume' ? target() : undefined,
      );
    case 'restart':
      need(1, '<deployment>');
      interrupted = `the restart may already be in the cluster: \`rollout status ${args[0]} -n ${values.namespace}\` shows it`;
      return report(await restart(cluster(), target()), target());
    case 'scale': {
      need(1, '<deployment>');
      const replicas = numberFlag('replicas', values.replicas, { min: 0, max: MAX_REPLICAS });
      interrupted = `the new replica count may already be in the cluster; the same scale again converges`;
      return report(await scale(cluster(), target(), replicas), target());
    }
    case 'canary':
    case 'promote':
    case 'abort': {
      need(2, '<stable> <canary>');
      const pair = { namespace: values.namespace, stable: args[0] as string, canary: args[1] as string };
      if (pair.stable === pair.canary) {
        throw new UsageError(
          `stable and canary must be two different Deployments, got ${JSON.stringify(pair.stable)} twice`,
        );
      }
      interrupted = `one of ${pair.stable} and ${pair.canary} may already be rescaled: \`rollout ${command} ${pair.stable} ${pair.canary}\` again converges`;
      if (command === 'canary') {
        const weight = numberFlag('weight', values.weight, { min: 0, max: 100, integer: false });
        return report(await setCanaryWeight(cluster(), pair, weight, wait));
      }
      return report(await (command === 'promote' ? promoteCanary : abortCanary)(cluster(), pair, wait));
    }
    case 'switch': {
      need(1, '<blue|green>');
      const bg = {
        namespace: values.namespace,
        service: deploymentName(values.service),
        deploymentPrefix: deploymentName(values.prefix),
      };
      const after = values['scale-down-after'];
      // Every flag before the cluster is asked anything.
      const options = {
        ...wait,
        images: values.image ? parseImageArgs(values.image) : undefined,
        cause: values.cause,
        scaleDownAfterMs:
          after === undefined ? undefined : durationFlag('scale-down-after', after, { zero: 0 }),
      };
      interrupted = `the ${args[0]} Deployment may be scaled up with the Service not yet switched: \`rollout switch ${args[0]}\` again finishes the switch`;
      return report(await switchColor(cluster(), bg, args[0] as string, options));
    }
    case 'watch':
      need(1, '<url>');
      return watch(
        args[0] as string,
        numberFlag('rate', values.rate ?? '20', { min: 1, max: 500 }),
        numberFlag('duration', values.duration, { min: 1, max: 86_400 }),
        values['keep-alive'],
      );
    case 'verify':
      return verifyCommand(commandContext(), values);
    case 'completion':
      if (args.length !== 1 || args[0] !== 'bash')
        throw new UsageError('completion supports bash: rollout completion bash');
      console.log(bashCompletion());
      return;
    case 'get':
      // Ctrl-C ends the live view; nothing was written.
      process.off('SIGINT', onInterrupt);
      return getCommand(commandContext(), values);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

/** Samples a URL and redraws the version mix: in place under a TTY, a line every 5 s otherwise. */
async function watch(url: string, rate: number, seconds: number, keepAlive: boolean): Promise<void> {
  // One request first: a URL nobody answers is an error, not a minute of refused connections.
  const [probe] = (
    await sample({ url, rate: 1, maxRequests: 1, timeoutMs: 3000, classify: headerClassifier })
  ).records;
  if (probe?.error && probe.error !== 'http-5xx' && probe.error !== 'unknown-body') {
    throw new RolloutError(`cannot reach ${url} (${probe.detail ?? probe.error})`);
  }
  const sampler = startSampler({ url, rate, durationMs: seconds * 1000, keepAlive });
  const tty = process.stdout.isTTY;
  let drawn = 0;
  const draw = () => {
    const records = sampler.records;
    if (tty) {
      const chart = renderChart(records, { title: `watch ${url}` });
      if (drawn) process.stdout.write(`\x1b[${drawn}A\x1b[J`);
      process.stdout.write(`${chart}\n`);
      drawn = chart.split('\n').length;
    } else {
      const s = summarize(records);
      console.log(
        `${(sampler.elapsed() / 1000).toFixed(0)} s: ${s.requests} requests, ${JSON.stringify(s.versions)}, failed ${s.failed}`,
      );
    }
  };
  const timer = setInterval(draw, tty ? 1000 : 5000);
  // Here Ctrl-C ends the sampling early and still prints the result.
  const stop = () => void sampler.stop();
  process.off('SIGINT', onInterrupt);
  process.once('SIGINT', stop);
  const { records } = await sampler.done;
  clearInterval(timer);
  process.off('SIGINT', stop);
  if (tty && drawn) process.stdout.write(`\x1b[${drawn}A\x1b[J`);
  console.log(renderChart(records, { title: `watch ${url}` }));
  const s = summarize(records);
  console.log(
    `${s.requests} requests at ${s.achievedRate.toFixed(1)}/s, failed ${s.failed} (${formatErrors(s.errors)})`,
  );
}

run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof InvalidInputError) {
    console.error(`error: ${error.message}`);
    process.exitCode = 2;
  } else if (error instanceof RolloutError) {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  } else {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
});
