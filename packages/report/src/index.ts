export {
  type ReportEntry,
  type ReportInput,
  renderHtmlReport,
  renderMarkdownSummary,
  trafficVerdict,
  type Verdict,
} from './html.js';
export {
  bucketSizeMs,
  failureLines,
  type Mark,
  type MixBucket,
  type ScenarioInput,
  type ScenarioRecord,
  scenarioRecord,
  versionMix,
} from './scenario.js';
export { escapeXml, FAILURE_COLORS, renderSvgChart, versionColors } from './svg.js';
