// The CLI as users start it: one ESM bundle, bundle/cli.mjs, split at its dynamic imports so that
// --version, help and completion never load the Kubernetes client. The library (dist/) is tsc's.
import { chmodSync, readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// An ESM import of node:http or node:https makes Node read every export of the module, and one of them
// (WebSocket) loads Node's own copy of undici: about 30 ms of CPU per start that reaches a cluster, for
// nothing the client uses. require() reads only what is asked for.
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?https?$/ }, ({ path, namespace }) =>
      namespace === 'by-require' ? { path, external: true } : { path, namespace: 'by-require' },
    );
    build.onLoad({ filter: /.*/, namespace: 'by-require' }, ({ path }) => ({
      contents: `module.exports = require(${JSON.stringify(path)});`,
      loader: 'js',
    }));
  },
};

const { metafile } = await build({
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
  metafile: true,
  plugins: [builtinsByRequire],
});
// Chunks of earlier builds are removed after this one is written (never before: a CLI may be starting
// from the bundle meanwhile), so the package ships only what cli.mjs loads.
const written = new Set(Object.keys(metafile.outputs));
for (const file of readdirSync('bundle/chunks'))
  if (!written.has(`bundle/chunks/${file}`)) rmSync(`bundle/chunks/${file}`);
chmodSync('bundle/cli.mjs', 0o755);
