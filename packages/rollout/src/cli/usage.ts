// The usage text: the one place a command and its flags are described (help, completion and docs/cli.md
// are made from it; the docs' command test reads it).
import { UsageError } from './context.js';

export const USAGE = `usage: rollout <command> [arguments] [flags]

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
  plan run <file>                         a canary plan (rollout-lab.dev/v1 CanaryPlan): weights, pauses and
                                          analysis, then promotion; plan status|resume|abort|promote <stable>;
                                          one runner per pair (a Lease); abort and promote by hand win
  switch <blue|green>                     blue/green: scale the colour up, wait, switch the Service;
                                          --no-promote stops with it behind the preview Service only
  promote-switch                          the live Service takes the staged colour, if its
                                          pre-promotion analysis passed (--unverified: anyway)
  abort-switch                            the staged colour to 0; the live Service is not touched
  watch <url>                             sample a URL and draw the version mix live
  verify <deployment> --url URL (--image c=img... | --undo [--to-revision N] | --restart)
                                          make the change while sampling URL; exit 0 only with
                                          ≥ --min-requests requests and 0 failed
  get <deployment> [--watch]              revision, ReplicaSets and pods; --watch redraws it live
  completion bash                         a bash completion script: source <(rollout completion bash)
  help <command>                          that command's usage

flags:
  -n, --namespace NS        default: the kubeconfig context's namespace, else "default"
      --context NAME        kubeconfig context      --kubeconfig FILE
      --timeout DURATION    for waits: 90s, 5m, 1h30m, plain seconds, 0 = no limit; default 5m
      --kubectl             also print the kubectl commands that do the same
  writes:  --dry-run=client|server (client: print the change, send nothing; server: the API server
           checks it and stores nothing); --wait (set-image, undo, restart, resume, scale: wait until
           the old pods are gone)
  set-image: --cause TEXT --auto-undo (wait; if the rollout stops progressing, undo it)
  switch:  --service svc-myapp --prefix deploy-myapp --image c=image --scale-down-after DURATION
           --no-promote --preview-service svc-myapp-preview --preview-url URL --analysis 10s --rate 20
  promote-switch: --url URL --analysis 10s --rate 20 --scale-down-after DURATION --service --prefix
           --unverified (promote a colour whose pre-promotion analysis failed or never ran)
  abort-switch: --service --preview-service --prefix
  watch:   --rate 20 --duration 60 --keep-alive
  verify:  --rate 50 --min-requests 1000 --settle 5 --keep-alive --report FILE.html -o json
           --undo-on-failure --cause TEXT
  get:     --watch --until-complete --url URL --rate 20 -o json|yaml
  plan:    -o json|yaml (status)
  -h, --help                --version

exit codes: 0 done, 1 failed (the cluster said no, or the check failed), 2 bad usage (nothing sent),
            130 interrupted (the message says what may already be written)`;

/** One command's part of the usage: its line (and continuation lines), its flags line, the common flags. */
export function commandHelp(command: string): string {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^  (\\S+ \\| )*${command}( |$)`).test(l));
  if (start < 0)
    throw new UsageError(`unknown command ${JSON.stringify(command)}; rollout --help lists them`);
  const own = [lines[start] as string];
  for (let i = start + 1; i < lines.length && /^ {20,}\S/.test(lines[i] as string); i++)
    own.push(lines[i] as string);
  const flags: string[] = [];
  for (const section of [command, 'writes']) {
    const at = lines.findIndex((l) => l.startsWith(`  ${section}:`));
    if (at < 0 || (section === 'writes' && !WRITES.has(command))) continue;
    flags.push(lines[at] as string);
    for (let i = at + 1; i < lines.length && /^ {11}\S/.test(lines[i] as string); i++)
      flags.push(lines[i] as string);
  }
  const common = lines.slice(
    lines.indexOf('flags:') + 1,
    lines.findIndex((l) => /^ {2}writes:/.test(l)),
  );
  return [
    `usage: rollout ${own.join('\n').trim()}`,
    ...(flags.length ? ['', ...flags] : []),
    '',
    'flags:',
    ...common,
  ].join('\n');
}

/** The commands that write, and so take --dry-run. */
const WRITES = new Set([
  'set-image',
  'undo',
  'pause',
  'resume',
  'restart',
  'scale',
  'canary',
  'promote',
  'abort',
  'switch',
]);

/** Every command name in the usage, in its order. */
export const commandNames = (): string[] => [
  ...new Set(
    [...USAGE.matchAll(/^ {2}([a-z-]+(?: \| [a-z-]+)*) /gm)].flatMap((m) => (m[1] as string).split(' | ')),
  ),
];
