// The child side of startSamplerProcess: a sampler, its records sent to the parent in batches.
import { writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import {
  CLASSIFIERS,
  LOAD_GENERATOR_NICENESS,
  type LoadGeneratorPriority,
  type SamplerMessage,
  type SamplerProcessOptions,
} from './process.js';
import { clock, startSampler } from './sampler.js';
import type { RequestRecord } from './types.js';

if (!process.send) throw new Error('sampler-process.js runs as a child with IPC (startSamplerProcess)');
const send = (message: SamplerMessage) => process.send?.(message);
const options = JSON.parse(process.argv[2] ?? '{}') as SamplerProcessOptions;
const { classifier = 'seed', priority: asked = 'nice', ...rest } = options;

/** Asks for the scheduling wanted, stepping down to what is allowed. */
function schedule(wanted: LoadGeneratorPriority): LoadGeneratorPriority {
  if (wanted === 'inherit') return 'inherit';
  try {
    setPriority(LOAD_GENERATOR_NICENESS);
  } catch {
    return 'inherit';
  }
  // Its session is its own (startSamplerProcess): the nice that weighs there is the session's.
  try {
    writeFileSync('/proc/self/autogroup', String(LOAD_GENERATOR_NICENESS));
  } catch {
    // No autogroup scheduling (another OS, or the kernel's off): the process's own nice is the one.
  }
  return 'nice';
}

const priority = schedule(asked);
let batch: RequestRecord[] = [];
const flush = () => {
  if (batch.length === 0) return;
  send({ type: 'records', records: batch });
  batch = [];
};
// The zero is now, with this process running at its priority: no request is owed for the time it took.
const origin = clock();
send({ type: 'started', origin, priority });
const sampler = startSampler({
  ...rest,
  classify: CLASSIFIERS[classifier],
  origin,
  onRecord: (record) => batch.push(record),
});
const timer = setInterval(flush, 50);
process.on('message', (message) => {
  if (message === 'stop') void sampler.stop();
});
// The parent went away (a test runner killed): nobody reads the records, stop at once.
process.on('disconnect', () => process.exit(0));
void sampler.done.then((result) => {
  clearInterval(timer);
  flush();
  const cpu = process.cpuUsage();
  send({
    type: 'done',
    rate: result.rate,
    startedAtEpochMs: result.startedAtEpochMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
  });
});
