import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { history, setImage, type Target } from '@rollout-lab/rollout';
import { describe, expect } from 'vitest';
import { cliPath, cluster, deploy, resourceVersion, rolloutCli, useNamespace } from '../support/cluster.js';
import { kubernetesMinor } from '../support/env.js';
import { scenario } from '../support/scenarios.js';
import { currentTest, saveScenario, sleep } from '../support/traffic.js';

// `rollout verify` on any Deployment, and `rollout get --watch`: the harness outside our own test files.
// The same images twice: as the careful base ships them, and as a careless Deployment (no readiness probe,
// no preStop, no shutdown delay, maxUnavailable 1) that must be caught dropping requests.
describe('rollout verify and rollout get --watch', () => {
  const k8s = cluster();
  const careless = useNamespace('rl-verify-careless', (namespace) =>
    deploy(k8s, 'overlays/test-careless', namespace, ['deploy-myapp']),
  );
  const careful = useNamespace('rl-verify-careful', (namespace) =>
    deploy(k8s, 'overlays/rolling', namespace, ['deploy-myapp']),
  );
  const live = useNamespace('rl-get-watch', (namespace) =>
    deploy(k8s, 'overlays/rolling', namespace, ['deploy-myapp']),
  );
  const reports = mkdtempSync(join(tmpdir(), 'rl-verify-'));
  // The live view's namespace is first the bad-input cases' (unchanged), then the rollout it watches.
  let badInputDone = () => {};
  const badInputChecked = new Promise<void>((resolve) => {
    badInputDone = resolve;
  });
  const image = (ns: string) =>
    k8s.apps
      .readNamespacedDeployment({ namespace: ns, name: 'deploy-myapp' })
      .then((d) => d.spec?.template?.spec?.containers?.[0]?.image);

  scenario(
    'fails a careless Deployment: lists the failures by class and time, and --undo-on-failure rolls it back',
    async () => {
      const report = join(reports, 'careless.html');
      const args = ['verify', 'deploy-myapp', '-n', careless.name, '--image', 'myapp=rollout-lab/myapp:v2.0'];
      const r = await rolloutCli([
        ...args,
        '--url',
        careless.url(),
        '--undo-on-failure',
        '--report',
        report,
        '-o',
        'json',
      ]);
      console.log(r.stdout.length > 4000 ? `${r.stdout.slice(0, 600)}…` : r.stdout, `\n${r.stderr}`);
      expect(r.code).toBe(1);
      const lastLine = r.stderr.split('\n').at(-1) ?? '';
      expect(lastLine).toMatch(/^error: verify failed: \d+ of \d+ requests failed$/);
      const out = JSON.parse(r.stdout);
      // Into the e2e report: what a careless rollout looks like (its failures are this test's point).
      await saveScenario({
        ...out.scenario,
        name: 'rollout verify: a careless Deployment, caught',
        test: currentTest(),
        kubernetes: kubernetesMinor,
        failuresInjected: true,
      });
      expect(out.passed).toBe(false);
      expect(out.scenario.summary.failed).toBeGreaterThan(0);
      expect(out.scenario.summary.requests).toBeGreaterThanOrEqual(1000);
      // Failures named by class and when: "refused ×12 at 9.3–14.0 s".
      expect(out.failures.length).toBeGreaterThan(0);
      for (const line of out.failures)
        expect(line).toMatch(/^(refused|reset|timeout|http-5xx|http-status|other) ×\d+ at [\d.]+–[\d.]+ s$/);
      expect(out.scenario.marks.map((m: { name: string }) => m.name)).toEqual(
        expect.arrayContaining(['change', 'rollout complete', 'old pods gone']),
      );
      // Rolled back: the template is v1 again, as revision 3 (kubectl's renumbering).
      expect(await image(careless.name)).toBe('rollout-lab/myapp:v1.0');
      const rows = await history(k8s, { namespace: careless.name, name: 'deploy-myapp' });
      expect(rows.map((row) => [row.revision, row.images.myapp])).toEqual([
        [2, 'rollout-lab/myapp:v2.0'],
        [3, 'rollout-lab/myapp:v1.0'],
      ]);
      const html = readFileSync(report, 'utf8');
      expect(html).toContain('<svg ');
      expect(html).toContain('class="failed">failed');
    },
  );

  scenario(
    'passes the careful base (≥ 1,000 requests, 0 failed, exit 0), and fails a rollout that never completes',
    async () => {
      const r = await rolloutCli([
        'verify',
        'deploy-myapp',
        '-n',
        careful.name,
        '--image',
        'myapp=rollout-lab/myapp:v2.0',
        '--cause',
        'verified upgrade',
        '--url',
        careful.url(),
      ]);
      console.log(r.stdout, `\n${r.stderr}`);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^verified: deploy-myapp rolled out with \d{4,} requests, 0 failed$/m);
      expect(r.stdout).toMatch(/failed 0 \(none\)/);
      expect(await image(careful.name)).toBe('rollout-lab/myapp:v2.0');

      // A rollout that never completes (the image cannot be pulled): exit 1 at --timeout, rolled back.
      const stuck = await rolloutCli([
        'verify',
        'deploy-myapp',
        '-n',
        careful.name,
        '--image',
        'myapp=rollout-lab/myapp:v9.9-missing',
        '--url',
        careful.url(),
        '--timeout',
        '20',
        '--undo-on-failure',
      ]);
      expect(stuck.code).toBe(1);
      expect(stuck.stderr.split('\n').at(-1)).toMatch(
        /^error: verify failed: the rollout did not complete: timed out after 20 s: Waiting for .+$/,
      );
      expect(stuck.stdout).toMatch(
        /^undo on failure: deployment\.apps\/deploy-myapp rolled back to revision 2$/m,
      );
      expect(await image(careful.name)).toBe('rollout-lab/myapp:v2.0');
    },
  );

  scenario('refuses bad input in one line and changes nothing', async () => {
    const ns = live.name;
    const before = await resourceVersion('deployment', 'deploy-myapp', ns);
    const url = live.url();
    const cases: Array<[string[], number, RegExp]> = [
      [['verify', 'nope', '--restart', '--url', url], 1, /^error: .*nope.*not found/],
      [
        ['verify', 'deploy-myapp', '--restart', '--url', 'http://127.0.0.1:1/'],
        1,
        /^error: http:\/\/127\.0\.0\.1:1\/ does not answer well before any change \(refused: .*\); nothing was changed$/,
      ],
      [
        ['verify', 'deploy-myapp', '--undo', '--to-revision', '9', '--url', url],
        1,
        /^error: revision 9 not found; known: 1$/,
      ],
      [
        ['verify', 'deploy-myapp', '--undo', '--url', url],
        1,
        /^error: no earlier revision to undo to for deployment deploy-myapp in namespace rl-get-watch-\w+; known: 1$/,
      ],
      [
        ['verify', 'deploy-myapp', '--image', 'nginx=nginx:1', '--url', url],
        1,
        /^error: container nginx not found in deployment deploy-myapp .*; known: myapp$/,
      ],
      [
        ['verify', 'deploy-myapp', '--image', 'constructor=nginx:1', '--url', url],
        1,
        /^error: container constructor not found/,
      ],
      [
        ['verify', 'deploy-myapp', '--image', 'myapp=rollout-lab/myapp:v1.0', '--url', url],
        1,
        /^error: nothing to verify: .* already runs these images$/,
      ],
      [
        ['verify', 'deploy-myapp', '--restart', '--url', url, '-n', 'Bad_NS'],
        2,
        /^error: "Bad_NS" is not a valid namespace name/,
      ],
      [
        ['verify', 'deploy-myapp', '--image', 'myapp=Bad Image', '--url', url],
        2,
        /^error: malformed image reference "Bad Image"/,
      ],
      [
        ['verify', 'deploy-myapp', '--restart', '--url', 'https://127.0.0.1/'],
        2,
        /^error: --url must be an http:\/\/ URL/,
      ],
      [
        ['verify', 'deploy-myapp', '--restart', '--url', url, '--min-requests', '1.5'],
        2,
        /^error: --min-requests needs a whole number/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const r = await rolloutCli(args.includes('-n') ? args : [...args, '-n', ns]);
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.stderr.split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(await resourceVersion('deployment', 'deploy-myapp', ns)).toBe(before);
    badInputDone();
  });

  scenario(
    'get --watch follows a rollout to its end: plain blocks without a terminal, redrawn in place under one',
    async () => {
      // After the bad-input cases (same namespace): they need it unchanged. If they fail, this waits no more.
      await Promise.race([badInputChecked, sleep(120_000)]);
      const ns = live.name;
      const target: Target = { namespace: ns, name: 'deploy-myapp' };
      // The change first: a watch started on a finished rollout ends at once, as kubectl rollout status does.
      await setImage(k8s, target, { myapp: 'rollout-lab/myapp:v2.0' });
      const watch = ['get', 'deploy-myapp', '-n', ns, '--watch', '--until-complete', '--timeout', '180'];
      const plain = rolloutCli([...watch, '--url', live.url()]);
      const pty = underPty([cliPath, ...watch]);
      const [p, t] = await Promise.all([plain, pty]);

      expect(p.code, p.stderr).toBe(0);
      const blocks = p.stdout.split(/^--- [\d.]+ s$/m).filter((b) => b.trim());
      expect(blocks.length).toBeGreaterThan(3);
      expect(p.stdout).not.toContain(`${String.fromCharCode(27)}[`);
      // It saw both ReplicaSets and the pods of both revisions, then the end.
      expect(p.stdout).toMatch(/^\s+\*2\s+deploy-myapp-\w+\s+rollout-lab\/myapp:v2\.0\s/m);
      expect(p.stdout).toMatch(/^\s+1\s+deploy-myapp-\w+\s+rollout-lab\/myapp:v1\.0\s/m);
      expect(p.stdout).toMatch(/Terminating/);
      expect(blocks.at(-1)).toContain('complete: rolled out, no old pods left');
      expect(p.stdout).toMatch(
        /traffic http:\/\/127\.0\.0\.1:\d+\/ \(last 5 s\): v1 \d+ %, v2 \d+ %; failed 0 of \d+/,
      );
      expect(p.stdout).toMatch(/^traffic: \d+ requests, 0 failed$/m);

      expect(t.code, t.output.slice(-2000)).toBe(0);
      // Under a terminal: cursor up N lines and clear to the end, before each redraw.
      const ESC = String.fromCharCode(27);
      expect(t.output).toMatch(new RegExp(`${ESC}\\[\\d+A${ESC}\\[J`));
      expect(t.output).toContain('complete: rolled out, no old pods left');
    },
  );
});

/** Runs node with args under a pseudo-terminal (util-linux `script`), so that stdout is a TTY. */
function underPty(args: string[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...process.env, TERM: 'xterm' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d;
    });
    child.on('exit', (code) => resolve({ code, output }));
  });
}
