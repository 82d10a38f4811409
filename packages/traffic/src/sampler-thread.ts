// The worker side of startSamplerThread: a sampler, its records sent to the parent in batches.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { startSampler } from './sampler.js';
import { CLASSIFIERS, type ThreadMessage, type ThreadSamplerOptions } from './thread.js';
import type { RequestRecord } from './types.js';

const { options, origin } = workerData as { options: ThreadSamplerOptions; origin: number };
const port = parentPort;
if (!port) throw new Error('sampler-thread.js runs as a worker thread (startSamplerThread)');

const { classifier = 'seed', niceness, ...rest } = options;
if (niceness !== undefined) {
  try {
    setPriority(niceness); // this thread only
  } catch {
    // not allowed (not root): keep the inherited priority
  }
}

let batch: RequestRecord[] = [];
const send = (message: ThreadMessage) => port.postMessage(message);
const flush = () => {
  if (batch.length === 0) return;
  send({ type: 'records', records: batch });
  batch = [];
};
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
