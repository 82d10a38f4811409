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

/** The nice value a load generator asks for when real-time scheduling is not allowed (root only). */
export const LOAD_GENERATOR_NICENESS = -10;

/**
 * How the sampler process asks to be scheduled:
 * - `realtime`: SCHED_FIFO priority 1 (`chrt`, root), else `nice`. On two cores shared with a cluster a
 *   niced load generator still waits tens to hundreds of ms behind it now and then, and its wait is
 *   charged to the servers as latency or a timeout; a real-time one is served first. It uses a few % of
 *   a core at the rates the suite runs, and the kernel's real-time throttle bounds it whatever happens.
 * - `nice`: nice -10 (root), else inherited.
 * - `inherit`: as the caller.
 */
export type LoadGeneratorPriority = 'realtime' | 'nice' | 'inherit';

export interface SamplerProcessOptions extends Omit<SamplerOptions, 'classify' | 'onRecord' | 'origin'> {
  classifier?: keyof typeof CLASSIFIERS;
  /** Default `realtime`. */
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
 * startSampler in a process of its own, scheduled ahead of the machine's other work (see
 * LoadGeneratorPriority). A thread in the caller's process is not enough: it shares the caller's address
 * space, and every child the caller forks (kubectl, a CLI under test) holds that address space's lock
 * while it copies it, which stalled a worker thread for up to 170 ms on two busy cores. The Sampler it
 * returns fills `records` as batches arrive (every 50 ms); times count from the process's start (see
 * `started`).
 */
export function startSamplerProcess(options: SamplerProcessOptions): SamplerProcess {
  validate(options);
  // Until the process says when it started, elapsed() counts from here.
  let origin = clock();
  let priority: LoadGeneratorPriority = options.priority ?? 'realtime';
  const records: RequestRecord[] = [];
  // No inherited flags (a test runner's loaders): the script is plain built JavaScript.
  const child: ChildProcess = fork(scriptUrl, [JSON.stringify(options)], {
    execArgv: [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
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
