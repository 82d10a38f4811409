// pnpm rollout — the rollout CLI from any checkout. When a source file is newer than the built CLI (or
// there is none, as in a fresh clone), Turborepo builds it first; otherwise it starts at once.
// Plain JS: nothing here needs building.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// The CLI runs on @kubernetes/client-node 2 (undici 8: Node 22+). On an older Node, run again under the
// Node 24 that scripts/host/node24.sh takes from the npm registry (the one helper that knows how).
if (Number(process.versions.node.split('.')[0]) < 22) {
  const again = spawnSync(
    'bash',
    [
      '-c',
      'source scripts/host/node24.sh >&2 && exec node "$0" "$@"',
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    { cwd: root, stdio: 'inherit' },
  );
  if (again.error || again.status === null) {
    console.error(
      `error: the rollout CLI needs Node.js 22 or newer (this is ${process.versions.node}), and Node 24 could not be set up: source scripts/host/node24.sh`,
    );
    process.exit(1);
  }
  process.exit(again.status);
}
const cli = join(root, 'packages/rollout/bundle/cli.mjs');

const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Number.NaN;
  }
};
/** Newest change among the packages' sources and manifests (the CLI's and what it imports). */
function newestSource() {
  let newest = mtime(join(root, 'tsconfig.base.json'));
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, mtime(path));
    }
  };
  for (const pkg of readdirSync(join(root, 'packages'))) {
    newest = Math.max(newest, mtime(join(root, 'packages', pkg, 'package.json')));
    walk(join(root, 'packages', pkg, 'src'));
  }
  return newest;
}

if (!(mtime(cli) >= newestSource())) {
  const build = spawnSync(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', '--filter=@rollout-lab/rollout', '--output-logs=errors-only'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
  );
  if (build.status !== 0) {
    const output = `${build.stdout ?? ''}${build.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    console.error(
      `error: building the rollout CLI failed (pnpm exec turbo run build --filter=@rollout-lab/rollout)${
        build.error ? `: ${build.error.message}` : `:\n${output}`
      }`,
    );
    process.exit(1);
  }
}
await import(cli);
