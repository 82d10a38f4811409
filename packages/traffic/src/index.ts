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
export { type Answer, type AnsweringOptions, untilAnswering } from './answering.js';
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
  describeTimeline,
  type EndpointState,
  type EndpointTimeline,
  endpointsAt,
  explainFailure,
  type PodChange,
  type PodView,
  podChanges,
  type SliceSnapshot,
} from './endpoints.js';
export {
  LOAD_GENERATOR_NICENESS,
  type LoadGeneratorPriority,
  type SamplerProcess,
  type SamplerProcessOptions,
  sampleInProcess,
  startSamplerProcess,
} from './process.js';
export {
  type SampleResult,
  type Sampler,
  type SamplerOptions,
  SamplerOptionsError,
  sample,
  startSampler,
} from './sampler.js';
export { ERROR_KINDS, type ErrorKind, type RequestRecord } from './types.js';
