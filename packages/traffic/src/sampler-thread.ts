// The worker side of startSamplerThread: a sampler, its records sent to the parent in batches.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { clock, startSampler } from './sampler.js';
import {
  CLASSIFIERS,
  LOAD_GENERATOR_NICENESS,
  type ThreadMessage,
  type ThreadSamplerOptions,
} from './thread.js';
import type { RequestRecord } from './types.js';

const { options } = workerData as { options: ThreadSamplerOptions };
const port = parentPort;
if (!port) throw new Error('sampler-thread.js runs as a worker thread (startSamplerThread)');

const { classifier = 'seed', niceness = LOAD_GENERATOR_NICENESS, ...rest } = options;
try {
  setPriority(niceness); // this thread only
} catch {
  // not allowed (not root): keep the inherited priority
}

let batch: RequestRecord[] = [];
const send = (message: ThreadMessage) => port.postMessage(message);
const flush = () => {
  if (batch.length === 0) return;
  send({ type: 'records', records: batch });
  batch = [];
};
// The zero is now, with this thread running at its priority: no request is owed for the time it took.
const origin = clock();
send({ type: 'started', origin });
const sampler = startSampler({
  ...rest,
  classify: CLASSIFIERS[classifier],
  origin,
  onRecord: (record) => batch.push(record),
});
const timer = setInterval(flush, 50);
port.on('message', (message) => {
  if (message === 'stop') void sampler.stop();
});
void sampler.done.then((result) => {
  clearInterval(timer);
  flush();
  send({ type: 'done', rate: result.rate, startedAtEpochMs: result.startedAtEpochMs });
  port.close();
});
