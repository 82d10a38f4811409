import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../bundle/cli.mjs', import.meta.url));
// Kubeconfigs whose API server does not exist: nothing listens on 127.0.0.1:2; port 9 is one of the
// Fetch standard's "bad ports", which the client refuses before connecting.
const dir = mkdtempSync(join(tmpdir(), 'rollout-cli-'));
const kubeconfigFor = (server: string) => {
  const file = join(dir, `config-${new URL(server).port}`);
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{ name: nowhere, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: nowhere, context: { cluster: nowhere, user: u } }]
current-context: nowhere
`,
  );
  return file;
};
const kubeconfig = kubeconfigFor('https://127.0.0.1:2');
const rollout = (...args: string[]) => rolloutWith(kubeconfig, ...args);
const rolloutWith = (config: string, ...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: config },
  });

describe('rollout CLI without a cluster', () => {
  it('prints help with exit 0', () => {
    const r = rollout('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: rollout <command>/);
  });

  it('prints a bash completion script that bash parses, with every command and flag', () => {
    const r = rollout('completion', 'bash');
    expect(r.status).toBe(0);
    expect(spawnSync('bash', ['-n'], { input: r.stdout }).status).toBe(0);
    for (const word of [
      'status',
      'set-image',
      'verify',
      'get',
      'switch',
      '--to-revision',
      '--until-complete',
      '--dry-run',
      '-n',
    ]) {
      expect(r.stdout).toContain(word);
    }
    expect(rollout('completion', 'zsh').stderr.trim()).toBe(
      'error: completion supports bash: rollout completion bash',
    );
  });

  it('prints its version', () => {
    const r = rollout('--version');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^rollout \d+\.\d+\.\d+\n$/);
  });

  it.each([
    [['frobnicate'], 'error: unknown command "frobnicate"'],
    [['set-image', 'deploy-myapp', 'myapp=Bad Image'], 'error: malformed image reference "Bad Image"'],
    [
      ['canary', 'a', 'b', '--weight', 'lots'],
      'error: --weight needs a whole number from 0 to 100, got "lots"',
    ],
    [
      ['undo', 'deploy-myapp', '--to-revision=-1'],
      'error: --to-revision needs a whole number from 0 to 2147483647, got "-1"',
    ],
    [
      ['undo', 'deploy-myapp', '2'],
      'error: undo takes <deployment>, got an extra "2"; for a revision write --to-revision 2',
    ],
    [['status', 'a', 'b'], 'error: status takes <deployment>, got an extra "b"'],
    [['promote', 'a', 'b', 'c'], 'error: promote takes <stable> <canary>, got an extra "c"'],
    [
      ['abort', 'web', 'deploy/web'],
      'error: stable and canary must be two different Deployments, got "web" twice',
    ],
    [['history', 'x/y'], 'error: "x/y" is not a Deployment (write NAME or deployment/NAME)'],
    [['history', 'Web_1'], 'error: "Web_1" is not a valid Deployment name'],
    [['history', 'web', '-n', 'a/b'], 'error: "a/b" is not a valid namespace name'],
    [
      ['scale', 'web', '--replicas', '3e3'],
      'error: --replicas needs a whole number from 0 to 100000, got "3e3"',
    ],
    [['scale', 'web', '--replicas', '0x10'], 'got "0x10"'],
    [['status', 'web', '--timeout', '5 minutes'], 'error: --timeout needs a duration like 90s, 5m or 1h30m'],
    [['status', 'web', '--timeout', '2147484s'], 'at most 596h'],
    [['switch', 'green', '--scale-down-after', '9999h'], 'error: --scale-down-after needs a duration'],
    [['switch', 'green', '--service', 'svc/x'], 'error: "svc/x" is not a Deployment'],
    [
      ['watch', 'http://127.0.0.1:2/', '--rate', '100000'],
      'error: --rate needs a whole number from 1 to 500',
    ],
    [['status'], 'error: status needs <deployment>'],
    [['history', 'web', '-o', 'xml'], 'error: -o supports json and yaml, got "xml"'],
    [['get', 'web', '-o', 'yaml', '--watch'], 'error: -o yaml prints one snapshot; leave out --watch'],
    [['history', 'web', '--weight', '5'], 'error: --weight is not a flag of history (rollout help history)'],
    [
      ['status', 'web', '--replicas', '2', '--cause', 'x'],
      'error: --replicas, --cause are not flags of status',
    ],
    [['verify', 'web', '--dry-run=client'], 'error: --dry-run is not a flag of verify'],
    [
      ['scale', 'web', '--replicas', '2', '--dry-run=maybe'],
      'error: --dry-run must be client or server, got "maybe"',
    ],
    [['scale', 'web', '--replicas', '2', '--dry-run'], "error: Option '--dry-run <value>' argument missing"],
    [['promote', 'a', 'b', '--weight', '5'], 'error: --weight goes with canary, not promote'],
    [['pause', 'web', '--wait'], 'error: --wait goes with resume'],
    [
      ['set-image', 'web', 'web=a:1', '--auto-undo', '--dry-run=server'],
      'error: --auto-undo waits for a real rollout',
    ],
    [['switch', 'purple'], 'error: colour must be blue or green, got "purple"'],
  ])('refuses %j with one line and exit 2', (args, message) => {
    const r = rollout(...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });

  it('takes the namespace from the kubeconfig context when -n is absent, as kubectl does', () => {
    const file = join(dir, 'context-namespace');
    writeFileSync(
      file,
      `apiVersion: v1
kind: Config
clusters: [{ name: nowhere, cluster: { server: "https://127.0.0.1:2" } }]
users: [{ name: u, user: { token: t } }]
contexts:
  - { name: team, context: { cluster: nowhere, user: u, namespace: Team_A } }
  - { name: plain, context: { cluster: nowhere, user: u } }
current-context: team
`,
    );
    // The context's namespace is checked like -n's: a bad one is refused before any request.
    const r = rolloutWith(file, 'history', 'web');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      'error: "Team_A" is not a valid namespace name (lower-case letters, digits, \'-\')',
    );
    // -n wins over the context; a context without a namespace means "default" (and the request is made).
    for (const args of [
      ['-n', 'demo'],
      ['--context', 'plain'],
    ]) {
      const other = rolloutWith(file, 'history', 'web', ...args);
      expect(other.status).toBe(1);
      expect(other.stderr).toContain('unreachable');
    }
  });

  it('documents help per command, dry run on writes, and its exit codes', () => {
    const scale = rollout('help', 'scale');
    expect(scale.stdout).toContain('usage: rollout scale <deployment> --replicas N');
    expect(scale.stdout).toContain('--dry-run=client|server');
    expect(rollout('history', '--help').stdout).not.toContain('--dry-run');
    expect(rollout('--help').stdout).toContain('exit codes: 0 done, 1 failed');
  });

  it('names a missing or malformed kubeconfig in one line, exit 1', () => {
    const bad = join(dir, 'malformed');
    writeFileSync(bad, 'apiVersion: v1\nclusters: [\n  - {name: x\n  bad');
    const r = rolloutWith(bad, 'history', 'deploy-myapp');
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: kubeconfig .*malformed: not a valid kubeconfig \(/);
    const missing = rolloutWith(join(dir, 'nope'), 'history', 'deploy-myapp');
    expect(missing.stderr.trim()).toMatch(/^error: kubeconfig .*nope: no such file \(ENOENT/);
  });

  it('says the API server is unreachable, in one line, exit 1', () => {
    const r = rollout('history', 'deploy-myapp', '-n', 'demo');
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('error: API server https://127.0.0.1:2 unreachable (ECONNREFUSED)');
  });

  it('says so in one line when the API server is on a port fetch refuses', () => {
    const r = rolloutWith(kubeconfigFor('https://127.0.0.1:9'), 'history', 'deploy-myapp', '-n', 'demo');
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      'error: API server https://127.0.0.1:9 unreachable (a port that fetch refuses to use)',
    );
  });

  it('says when there is no kubeconfig at all', () => {
    const env = { ...process.env, HOME: dir, KUBECONFIG: '' };
    const r = spawnSync(process.execPath, [cli, 'status', 'deploy-myapp'], { encoding: 'utf8', env });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: no kubeconfig found: set KUBECONFIG or pass --kubeconfig/);
  });

  it('names an unknown context', () => {
    const r = rollout('history', 'deploy-myapp', '--context', 'prod');
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('error: context prod not found; known: nowhere');
  });

  it('cannot watch a URL nobody answers', () => {
    const r = rollout('watch', 'http://127.0.0.1:9/', '--duration', '1');
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('error: cannot reach http://127.0.0.1:9/ (ECONNREFUSED)');
  });
});

describe('the bundle', () => {
  const files = readdirSync(fileURLToPath(new URL('../bundle', import.meta.url)), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.mjs'));
  const text = files.map((f) =>
    readFileSync(fileURLToPath(new URL(`../bundle/${f}`, import.meta.url)), 'utf8'),
  );

  it('loads the sampler from its package, whose worker thread is a file beside its module', () => {
    expect(text.some((t) => /from ?"@rollout-lab\/traffic"/.test(t))).toBe(true);
    expect(text.some((t) => t.includes('sampler-thread'))).toBe(false);
  });

  it('requires node:http and node:https: as ES modules, Node would load its own undici for them', () => {
    expect(text.filter((t) => /(from|import) ?\(?"node:https?"/.test(t))).toEqual([]);
    expect(text.some((t) => t.includes('("node:http")'))).toBe(true);
    expect(text.some((t) => t.includes('("node:https")'))).toBe(true);
  });
});
