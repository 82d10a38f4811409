import { type ChildProcess, fork } from 'node:child_process';
import { anyServiceClassifier, headerClassifier, seedClassifier } from './classify.js';
import { clock, type SampleResult, type Sampler, type SamplerOptions, validate } from './sampler.js';
import type { RequestRecord } from './types.js';

/** Classifiers by name: a function cannot cross into another process. */
export const CLASSIFIERS = {
  seed: seedClassifier,
  header: headerClassifier,
  any: anyServiceClassifier,
} as const;

/** The nice value a load generator asks for (root only): it must not be the one that waits. */
export const LOAD_GENERATOR_NICENESS = -10;

/**
 * How the sampler process asks to be scheduled: `nice` (LOAD_GENERATOR_NICENESS where allowed, else
 * inherited) or `inherit`. Not real-time: two real-time samplers once ran at 94 % of a core each for
 * minutes and starved the cluster they measured (docs/e2e.md).
 */
export type LoadGeneratorPriority = 'nice' | 'inherit';

export interface SamplerProcessOptions extends Omit<SamplerOptions, 'classify' | 'onRecord' | 'origin'> {
  classifier?: keyof typeof CLASSIFIERS;
  /** Default `nice`. */
  priority?: LoadGeneratorPriority;
}

/** What the process sends back: its zero and priority, records in batches, then the end. */
export type SamplerMessage =
  | { type: 'started'; origin: number; priority: LoadGeneratorPriority }
  | { type: 'records'; records: RequestRecord[] }
  | { type: 'done'; rate: number; startedAtEpochMs: number; cpuMs: number };

// Both src/ and dist/ sit one level under the package: the process always runs the built script.
const scriptUrl = new URL('../dist/sampler-process.js', import.meta.url);

export interface SamplerProcess extends Sampler {
  /**
   * Resolves once the process runs and has sent its first request's zero. A process starting on a busy
   * machine can take a second; its schedule begins then, not when it was asked for, so that it never
   * starts with a burst of the requests it "owes".
   */
  readonly started: Promise<void>;
  /** The scheduling the process got (known once started; until then the one asked for). */
  readonly priority: LoadGeneratorPriority;
}

/**
 * startSampler in a process of its own, at the load generator's niceness. A thread in the caller's
 * process is not enough: it shares the caller's address space, and every child the caller forks
 * (kubectl, a CLI under test) holds that address space's lock while it copies it, which stalled a worker
 * thread for up to 170 ms on two busy cores. The Sampler it returns fills `records` as batches arrive
 * (every 50 ms); times count from the process's start (see `started`).
 */
export function startSamplerProcess(options: SamplerProcessOptions): SamplerProcess {
  validate(options);
  // Until the process says when it started, elapsed() counts from here.
  let origin = clock();
  let priority: LoadGeneratorPriority = options.priority ?? 'nice';
  const records: RequestRecord[] = [];
  // No inherited flags (a test runner's loaders): the script is plain built JavaScript.
  const child: ChildProcess = fork(scriptUrl, [JSON.stringify(options)], {
    execArgv: [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // A session of its own. With Linux's autogroup scheduling every session weighs as one task,
    // whatever its members' nice: in the caller's session the sampler shared one weight with every CLI
    // and kubectl the test forks (its lag p99 108–141 ms beside two looping CLI starts, 16–41 ms in its
    // own; docs/e2e.md). It still ends with its parent: it exits when the IPC channel closes.
    detached: true,
  });
  let stopRequested = false;
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const done = new Promise<SampleResult>((resolve, reject) => {
    child.on('message', (message: SamplerMessage) => {
      if (message.type === 'started') {
        origin = message.origin;
        priority = message.priority;
        markStarted();
      } else if (message.type === 'records') records.push(...message.records);
      else {
        resolve({
          records: [...records].sort((a, b) => a.seq - b.seq),
          rate: message.rate,
          startedAtEpochMs: message.startedAtEpochMs,
          cpuMs: message.cpuMs,
        });
        child.disconnect();
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      reject(new Error(`the sampler process exited (${signal ?? `code ${code}`}) before it was done`)),
    );
  });
  // A failed process fails `started` too, so that nobody waits for it for ever.
  const startedOrFailed = Promise.race([started, done.then(() => {})]);
  return {
    records,
    elapsed: () => clock() - origin,
    started: startedOrFailed,
    get priority() {
      return priority;
    },
    done,
    stop() {
      if (!stopRequested && child.connected) {
        stopRequested = true;
        child.send('stop');
      }
      return done;
    },
  };
}

/** Runs a bounded sampler to the end, in a process of its own. */
export function sampleInProcess(options: SamplerProcessOptions): Promise<SampleResult> {
  return startSamplerProcess(options).done;
}
