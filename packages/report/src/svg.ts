import { ERROR_KINDS } from '@rollout-lab/traffic';
import type { ScenarioRecord } from './scenario.js';

/** Colour-blind-safe hues (Okabe–Ito) for versions in sorted order; red is kept for failures. */
const VERSION_COLORS = ['#0072b2', '#009e73', '#e69f00', '#cc79a7', '#56b4e9', '#f0e442', '#000000'];
/** Failures are red; each class its own shade, named in the legend. */
export const FAILURE_COLORS: Record<string, string> = {
  refused: '#d7191c',
  reset: '#a50f15',
  timeout: '#fb6a4a',
  'http-5xx': '#ef3b2c',
  'http-status': '#cb181d',
  'unknown-body': '#fc9272',
  other: '#67000d',
};

export const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function versionColors(versions: readonly string[]): Map<string, string> {
  return new Map(
    [...versions].sort().map((v, i) => [v, VERSION_COLORS[i % VERSION_COLORS.length] as string]),
  );
}

const W = 880;
const LEFT = 44;
const RIGHT = 150;
const MARK_ROWS = 3;
const MARK_ROW_H = 13;
const MIX_TOP = 8 + MARK_ROWS * MARK_ROW_H;
const MIX_H = 150;
const GAP = 10;
const FAIL_H = 40;
const FAIL_TOP = MIX_TOP + MIX_H + GAP;
const AXIS_Y = FAIL_TOP + FAIL_H;
const H = AXIS_Y + 24;

const n = (x: number) => Number(x.toFixed(1));

/**
 * The version mix over time as an SVG (no script, no external reference): per time slice a stacked bar
 * of each version's share of the answers, below it the failures of that slice in red by class, and a
 * dashed vertical line for each mark (the change, rollout complete, old pods gone, switch, abort).
 */
export function renderSvgChart(scenario: ScenarioRecord): string {
  const { buckets, bucketMs } = scenario.mix;
  const versions = [...new Set(buckets.flatMap((b) => Object.keys(b.versions)))].sort();
  const colors = versionColors(versions);
  const spanMs = Math.max(bucketMs, buckets.length * bucketMs, ...scenario.marks.map((m) => m.atMs));
  const plotW = W - LEFT - RIGHT;
  const x = (ms: number) => LEFT + (ms / spanMs) * plotW;
  // A hair wider than the slice, so that neighbouring bars leave no white seam.
  const barW = Math.max(1, (bucketMs / spanMs) * plotW + 0.4);
  const maxFail = Math.max(
    1,
    ...buckets.map((b) => Object.values(b.errors).reduce((s, c) => s + (c ?? 0), 0)),
  );
  const parts: string[] = [];

  parts.push(
    `<rect x="${LEFT}" y="${MIX_TOP}" width="${plotW}" height="${MIX_H}" fill="#f6f6f6" stroke="#ccc"/>`,
    `<rect x="${LEFT}" y="${FAIL_TOP}" width="${plotW}" height="${FAIL_H}" fill="#fff5f5" stroke="#ccc"/>`,
    `<text x="${LEFT - 4}" y="${MIX_TOP + 10}" text-anchor="end">100%</text>`,
    `<text x="${LEFT - 4}" y="${MIX_TOP + MIX_H}" text-anchor="end">0%</text>`,
    `<text x="${LEFT - 4}" y="${FAIL_TOP + 12}" text-anchor="end" fill="#a50f15">${maxFail}</text>`,
    `<text x="${LEFT - 4}" y="${FAIL_TOP + FAIL_H}" text-anchor="end" fill="#a50f15">fail</text>`,
  );
  for (const bucket of buckets) {
    const answered = Object.values(bucket.versions).reduce((s, c) => s + c, 0);
    let y = MIX_TOP + MIX_H;
    const at = `${(bucket.startMs / 1000).toFixed(1)} s`;
    for (const version of versions) {
      const count = bucket.versions[version] ?? 0;
      if (!count) continue;
      const h = (count / answered) * MIX_H;
      y -= h;
      parts.push(
        `<rect class="mix" x="${n(x(bucket.startMs))}" y="${n(y)}" width="${n(barW)}" height="${n(h)}" fill="${colors.get(version)}"><title>${escapeXml(`${at}: ${version} ${count}/${answered}`)}</title></rect>`,
      );
    }
    let fy = FAIL_TOP + FAIL_H;
    for (const kind of ERROR_KINDS) {
      const count = bucket.errors[kind] ?? 0;
      if (!count) continue;
      const h = Math.max(2, (count / maxFail) * FAIL_H);
      fy -= h;
      parts.push(
        `<rect class="fail" x="${n(x(bucket.startMs))}" y="${n(fy)}" width="${n(Math.max(2, barW))}" height="${n(h)}" fill="${FAILURE_COLORS[kind]}"><title>${escapeXml(`${at}: ${kind} ×${count}`)}</title></rect>`,
      );
    }
  }
  // Marks: a dashed line through both strips, the label in the first of three rows where it fits.
  const rowEnds = Array.from({ length: MARK_ROWS }, () => Number.NEGATIVE_INFINITY);
  for (const mark of scenario.marks) {
    const mx = x(mark.atMs);
    const label = `${mark.name} ${(mark.atMs / 1000).toFixed(1)} s`;
    const width = label.length * 6;
    let row = rowEnds.findIndex((end) => end < mx - 2);
    if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[row] = mx + width;
    const ly = 8 + (row + 1) * MARK_ROW_H - 3;
    parts.push(
      `<line class="mark" x1="${n(mx)}" x2="${n(mx)}" y1="${ly + 2}" y2="${AXIS_Y}" stroke="#333" stroke-dasharray="4 3"/>`,
      `<text x="${n(mx + 2)}" y="${ly}">${escapeXml(label)}</text>`,
    );
  }
  // Time axis: about eight ticks at round seconds.
  const spanS = spanMs / 1000;
  const step = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300].find((s) => spanS / s <= 8) ?? 600;
  for (let s = 0; s <= spanS; s += step) {
    parts.push(`<text x="${n(x(s * 1000))}" y="${AXIS_Y + 14}" text-anchor="middle">${s}s</text>`);
  }
  // Legend: versions with their answer counts, then the failure classes seen.
  let ly = MIX_TOP + 10;
  const legend = (color: string, text: string) => {
    parts.push(
      `<rect x="${W - RIGHT + 10}" y="${ly - 9}" width="10" height="10" fill="${color}"/>`,
      `<text x="${W - RIGHT + 24}" y="${ly}">${escapeXml(text)}</text>`,
    );
    ly += 15;
  };
  for (const version of versions) {
    legend(colors.get(version) as string, `${version}: ${scenario.summary.versions[version] ?? 0}`);
  }
  for (const kind of ERROR_KINDS) {
    const count = scenario.summary.errors[kind];
    if (count) legend(FAILURE_COLORS[kind] as string, `${kind}: ${count}`);
  }
  if (!scenario.summary.failed) legend('#ffffff', 'failed: 0');

  const title = `${scenario.name}: version mix over time, ${scenario.summary.requests} requests, ${scenario.summary.failed} failed`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(title)}" font-family="sans-serif" font-size="11" shape-rendering="crispEdges">`,
    `<title>${escapeXml(title)}</title>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
