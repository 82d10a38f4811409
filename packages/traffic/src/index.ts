export {
  type Bucket,
  binomialTolerance,
  firstPureRun,
  formatErrors,
  type Percentiles,
  type Phase,
  phases,
  type Share,
  type Summary,
  shareOf,
  summarize,
  timeline,
} from './analyze.js';
export {
  assertNoErrors,
  assertPhases,
  assertShare,
  assertVersions,
  TrafficAssertionError,
} from './assert.js';
export { type ChartOptions, renderChart } from './chart.js';
export {
  anyServiceClassifier,
  type Classified,
  classifyNetworkError,
  headerClassifier,
  type ResponseClassifier,
  seedClassifier,
} from './classify.js';
export {
  type SampleResult,
  type Sampler,
  type SamplerOptions,
  SamplerOptionsError,
  sample,
  startSampler,
} from './sampler.js';
export {
  LOAD_GENERATOR_NICENESS,
  sampleInThread,
  startSamplerThread,
  type ThreadSampler,
  type ThreadSamplerOptions,
} from './thread.js';
export { ERROR_KINDS, type ErrorKind, type RequestRecord } from './types.js';
