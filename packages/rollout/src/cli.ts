#!/usr/bin/env node
// rollout: kubectl-like rollout commands on the rollout-lab library. The only file with side effects:
// it owns the process (Ctrl-C, exit code). Exit 0 ok, 1 failed, 2 bad usage, 130 interrupted.
import { enableCompileCache } from 'node:module';

// Node keeps the compiled code of what follows (os.tmpdir()/node-compile-cache): the next start skips
// parsing and compiling it. NODE_DISABLE_COMPILE_CACHE=1 turns it off. Before the imports below it can
// only act on what they load, hence their dynamic form.
enableCompileCache?.();
const { UsageError } = await import('./cli/context.js');
const { main } = await import('./cli/main.js');
const { InvalidInputError } = await import('./errors.js');

/** What an interruption leaves behind, for the SIGINT message (set by the commands that write). */
let interrupted = 'nothing was changed';
const cleanups: Array<() => Promise<void>> = [];
const onInterrupt = async () => {
  console.error(`interrupted: ${interrupted}`);
  // A second Ctrl-C, or 3 s, ends it at once.
  process.once('SIGINT', () => process.exit(130));
  const late = new Promise((resolve) => setTimeout(resolve, 3000).unref());
  await Promise.race([Promise.allSettled(cleanups.map((fn) => fn())), late]);
  process.exit(130);
};
process.once('SIGINT', onInterrupt);

main(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  interrupted: {
    set: (message) => {
      interrupted = message;
    },
    own: () => {
      process.off('SIGINT', onInterrupt);
    },
    cleanup: (fn) => {
      cleanups.push(fn);
    },
  },
}).catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = error instanceof UsageError || error instanceof InvalidInputError ? 2 : 1;
});
