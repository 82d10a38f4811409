import { type Bucket, formatErrors, summarize, timeline } from './analyze.js';
import type { RequestRecord } from './types.js';

export interface ChartOptions {
  /** Most columns to draw; buckets are merged to fit. Default 60. */
  width?: number;
  /** Versions to draw, in row order; default: every version seen, sorted. */
  versions?: readonly string[];
  /** Plain ASCII ramp instead of block characters (for logs that mangle Unicode). */
  ascii?: boolean;
  title?: string;
}

const BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ASCII = [' ', '.', ':', '-', '=', '+', '*', '#', '@'];

function merge(buckets: Bucket[], width: number): { columns: Bucket[]; perColumn: number } {
  const perColumn = Math.max(1, Math.ceil(buckets.length / width));
  const columns: Bucket[] = [];
  for (let i = 0; i < buckets.length; i += perColumn) {
    const group = buckets.slice(i, i + perColumn);
    const column: Bucket = { startMs: group[0]?.startMs ?? 0, total: 0, versions: {}, errors: 0 };
    for (const bucket of group) {
      column.total += bucket.total;
      column.errors += bucket.errors;
      for (const [version, count] of Object.entries(bucket.versions)) {
        column.versions[version] = (column.versions[version] ?? 0) + count;
      }
    }
    columns.push(column);
  }
  return { columns, perColumn };
}

function axis(columns: number, columnMs: number): string {
  const every = Math.max(10, Math.ceil(columns / 6 / 10) * 10);
  let line = '';
  for (let c = 0; c < columns; c += every) {
    const label = `${Math.round((c * columnMs) / 1000)}s`;
    line = line.padEnd(c, ' ') + label;
  }
  return line;
}

/**
 * The version mix over time: one row per version, one column per time slice, the cell's height the
 * version's share of the answers in that slice; a last row marks slices with failed requests.
 */
export function renderChart(records: readonly RequestRecord[], options: ChartOptions = {}): string {
  const width = options.width ?? 60;
  const ramp = options.ascii ? ASCII : BLOCKS;
  const summary = summarize(records);
  const versions = options.versions ?? Object.keys(summary.versions).sort();
  const span = records.length ? Math.max(...records.map((r) => r.startedAt)) : 0;
  const bucketMs = Math.max(100, Math.ceil(span / width / 100) * 100);
  const { columns, perColumn } = merge(timeline(records, bucketMs), width);
  const columnMs = bucketMs * perColumn;
  const label = (name: string) => name.padEnd(5).slice(0, 5);
  const bar = options.ascii ? '|' : '│';

  const rows = versions.map((version) => {
    const cells = columns.map((column) => {
      const count = column.versions[version] ?? 0;
      if (count === 0) return ' ';
      const level = Math.max(1, Math.round((count / column.total) * (ramp.length - 1)));
      return ramp[level];
    });
    return `${label(version)}${bar}${cells.join('')}${bar} ${summary.versions[version] ?? 0}`;
  });
  const errorCells = columns.map((column) =>
    column.errors === 0 ? ' ' : column.errors > 9 ? '#' : String(column.errors),
  );
  rows.push(`${label('fail')}${bar}${errorCells.join('')}${bar} ${summary.failed}`);

  const head =
    `${options.title ?? 'version mix'}: ${summary.requests} requests over ${(span / 1000).toFixed(1)} s, ` +
    `1 column = ${(columnMs / 1000).toFixed(1)} s, failed ${summary.failed} (${formatErrors(summary.errors)})`;
  return [head, ...rows, `${' '.repeat(6)}${axis(columns.length, columnMs)}`].join('\n');
}
