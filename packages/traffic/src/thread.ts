import { Worker } from 'node:worker_threads';
import { headerClassifier, seedClassifier } from './classify.js';
import { clock, type SampleResult, type Sampler, type SamplerOptions, validate } from './sampler.js';
import type { RequestRecord } from './types.js';

/** Classifiers by name: a function cannot cross into a worker thread. */
export const CLASSIFIERS = { seed: seedClassifier, header: headerClassifier } as const;

export interface ThreadSamplerOptions extends Omit<SamplerOptions, 'classify' | 'onRecord' | 'origin'> {
  classifier?: keyof typeof CLASSIFIERS;
  /**
   * The thread's nice value (Linux: per thread). A load generator sharing a process and two cores with
   * test code and a cluster must not be the one that waits: its delay would be charged to the servers.
   * Lowering it needs root (CAP_SYS_NICE); without, the thread keeps its parent's and says nothing.
   */
  niceness?: number;
}

/** What the thread sends back: records in batches, then the end. */
export type ThreadMessage =
  | { type: 'records'; records: RequestRecord[] }
  | { type: 'done'; rate: number; startedAtEpochMs: number };

// Both src/ and dist/ sit one level under the package: the worker is always the built one.
const workerUrl = new URL('../dist/sampler-thread.js', import.meta.url);

/**
 * startSampler in a worker thread of its own: its event loop never waits behind the test's work (API
 * calls, JSON, charts), so a late answer is the server's, not the client's. The Sampler it returns fills
 * `records` as batches arrive (every 50 ms).
 */
export function startSamplerThread(options: ThreadSamplerOptions): Sampler {
  validate(options);
  const origin = clock();
  const records: RequestRecord[] = [];
  const worker = new Worker(workerUrl, { workerData: { options, origin } });
  let stopRequested = false;
  const done = new Promise<SampleResult>((resolve, reject) => {
    worker.on('message', (message: ThreadMessage) => {
      if (message.type === 'records') records.push(...message.records);
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
  // A stop() before the thread is up waits for it: messages queue until the worker listens.
  return {
    records,
    elapsed: () => clock() - origin,
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
