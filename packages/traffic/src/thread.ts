import { Worker } from 'node:worker_threads';
import { anyServiceClassifier, headerClassifier, seedClassifier } from './classify.js';
import { clock, type SampleResult, type Sampler, type SamplerOptions, validate } from './sampler.js';
import type { RequestRecord } from './types.js';

/** Classifiers by name: a function cannot cross into a worker thread. */
export const CLASSIFIERS = {
  seed: seedClassifier,
  header: headerClassifier,
  any: anyServiceClassifier,
} as const;

/**
 * The niceness a load generator sharing two cores with a cluster should ask for (as root): it must not be
 * the one that waits, or its own delay is charged to the servers. Used by the e2e tests and the tutorial.
 */
export const LOAD_GENERATOR_NICENESS = -10;

export interface ThreadSamplerOptions extends Omit<SamplerOptions, 'classify' | 'onRecord' | 'origin'> {
  classifier?: keyof typeof CLASSIFIERS;
  /**
   * The thread's nice value (Linux: per thread); default LOAD_GENERATOR_NICENESS. A load generator sharing
   * a process and two cores with test code and a cluster must not be the one that waits: its delay would
   * be charged to the servers. Lowering it needs root (CAP_SYS_NICE); without, the thread keeps its
   * parent's and says nothing.
   */
  niceness?: number;
}

/** What the thread sends back: records in batches, then the end. */
export type ThreadMessage =
  | { type: 'started'; origin: number }
  | { type: 'records'; records: RequestRecord[] }
  | { type: 'done'; rate: number; startedAtEpochMs: number };

// Both src/ and dist/ sit one level under the package: the worker is always the built one.
const workerUrl = new URL('../dist/sampler-thread.js', import.meta.url);

export interface ThreadSampler extends Sampler {
  /**
   * Resolves once the thread runs and has sent its first request's zero. A thread starting on a busy
   * machine can take seconds; its schedule begins then, not when it was asked for, so that it never
   * starts with a burst of the requests it "owes".
   */
  readonly started: Promise<void>;
}

/**
 * startSampler in a worker thread of its own: its event loop never waits behind the test's work (API
 * calls, JSON, charts), so a late answer is the server's, not the client's. The Sampler it returns fills
 * `records` as batches arrive (every 50 ms); times count from the thread's start (see `started`).
 */
export function startSamplerThread(options: ThreadSamplerOptions): ThreadSampler {
  validate(options);
  // Until the thread says when it started, elapsed() counts from here.
  let origin = clock();
  const records: RequestRecord[] = [];
  const worker = new Worker(workerUrl, { workerData: { options } });
  let stopRequested = false;
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const done = new Promise<SampleResult>((resolve, reject) => {
    worker.on('message', (message: ThreadMessage) => {
      if (message.type === 'started') {
        origin = message.origin;
        markStarted();
      } else if (message.type === 'records') records.push(...message.records);
      else {
        resolve({
          records: [...records].sort((a, b) => a.seq - b.seq),
          rate: message.rate,
          startedAtEpochMs: message.startedAtEpochMs,
        });
        void worker.terminate();
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) =>
      reject(new Error(`the sampler thread exited (code ${code}) before it was done`)),
    );
  });
  // A failed thread fails `started` too, so that nobody waits for it for ever.
  const startedOrFailed = Promise.race([started, done.then(() => {})]);
  // A stop() before the thread is up waits for it: messages queue until the worker listens.
  return {
    records,
    elapsed: () => clock() - origin,
    started: startedOrFailed,
    done,
    stop() {
      if (!stopRequested) {
        stopRequested = true;
        worker.postMessage('stop');
      }
      return done;
    },
  };
}

/** Runs a bounded sampler to the end, in a thread of its own. */
export function sampleInThread(options: ThreadSamplerOptions): Promise<SampleResult> {
  return startSamplerThread(options).done;
}
