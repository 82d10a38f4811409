#!/usr/bin/env node
import { UsageError } from './cli/context.js';
// rollout: kubectl-like rollout commands on the rollout-lab library. The only file with side effects:
// it owns the process (Ctrl-C, exit code). Exit 0 ok, 1 failed, 2 bad usage, 130 interrupted.
import { main } from './cli/main.js';
import { InvalidInputError } from './errors.js';

/** What an interruption leaves behind, for the SIGINT message (set by the commands that write). */
let interrupted = 'nothing was changed';
const onInterrupt = () => {
  console.error(`interrupted: ${interrupted}`);
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
  },
}).catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = error instanceof UsageError || error instanceof InvalidInputError ? 2 : 1;
});
