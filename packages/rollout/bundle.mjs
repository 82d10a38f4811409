// The CLI as users start it: one ESM bundle, bundle/cli.mjs, split at its dynamic imports so that
// --version, help and completion never load the Kubernetes client. The library (dist/) is tsc's.
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'src/cli.ts' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  outdir: 'bundle',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // The sampler starts a worker thread from a file beside its own module (dist/sampler-thread.js): it
  // stays the installed package, loaded when a command samples.
  external: ['@rollout-lab/traffic'],
  // Bundled CommonJS dependencies call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __rolloutLabRequire } from 'node:module'; const require = __rolloutLabRequire(import.meta.url);",
  },
  legalComments: 'none',
  minify: true,
  // Error classes name themselves after their constructor (errors.ts).
  keepNames: true,
  logLevel: 'warning',
});
chmodSync('bundle/cli.mjs', 0o755);
