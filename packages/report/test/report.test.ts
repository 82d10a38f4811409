import { describe, expect, it } from 'vitest';
import {
  FAILURE_COLORS,
  failureLines,
  renderHtmlReport,
  renderMarkdownSummary,
  renderSvgChart,
  scenarioRecord,
  trafficVerdict,
} from '../src/index.js';
import { rollingRecords } from './fixtures.js';

const marks = { start: 0, change: 10_000, 'old pods gone': 20_500 };

describe('scenarioRecord', () => {
  it('keeps the mix per time slice, failures by class, and the marks in time order', () => {
    const s = scenarioRecord('rolling', rollingRecords(4), { marks: { ...marks, abort: 5000 } });
    expect(s.summary.requests).toBe(1500);
    expect(s.summary.failed).toBe(4);
    expect(s.marks.map((m) => m.name)).toEqual(['abort', 'change', 'old pods gone']);
    expect(s.mix.bucketMs).toBe(250);
    expect(s.mix.buckets).toHaveLength(120);
    const total = s.mix.buckets.reduce(
      (sum, b) =>
        sum +
        Object.values(b.versions).reduce((a, c) => a + c, 0) +
        Object.values(b.errors).reduce((a, c) => a + (c ?? 0), 0),
      0,
    );
    expect(total).toBe(1500);
    expect(s.mix.buckets[0]?.versions).toEqual({ v1: 13 });
    expect(s.mix.buckets.at(-1)?.versions).toEqual({ v2: 12 });
    expect(failureLines(s)).toEqual(['reset ×2 at 15.0–15.3 s', 'timeout ×2 at 15.0–15.3 s']);
  });

  it('stays small: a 10-minute run is at most 150 slices', () => {
    const records = rollingRecords().map((r) => ({ ...r, startedAt: r.startedAt * 20 }));
    expect(scenarioRecord('long', records).mix.buckets.length).toBeLessThanOrEqual(150);
  });
});

describe('renderSvgChart', () => {
  it('draws a bar per version per slice, a red bar per failure class per slice, and a line per mark', () => {
    const scenario = scenarioRecord('rolling', rollingRecords(4), { marks });
    const svg = renderSvgChart(scenario);
    const count = (re: RegExp) => (svg.match(re) ?? []).length;
    const segments = scenario.mix.buckets.reduce((sum, b) => sum + Object.keys(b.versions).length, 0);
    // 120 slices of 250 ms: one version before 10 s and after 20 s, mostly both in between.
    expect(segments).toBeGreaterThan(150);
    expect(count(/class="mix"/g)).toBe(segments);
    expect(count(/class="fail"/g)).toBe(2);
    expect(svg).toContain(`fill="${FAILURE_COLORS.reset}"`);
    expect(svg).toContain(`fill="${FAILURE_COLORS.timeout}"`);
    expect(count(/class="mark"/g)).toBe(2);
    expect(svg).toContain('change 10.0 s');
    expect(svg).toContain('old pods gone 20.5 s');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it('escapes names that look like markup', () => {
    const svg = renderSvgChart(scenarioRecord('<script>alert(1)</script>', rollingRecords(), { marks }));
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&#60;script&#62;');
  });
});

describe('renderHtmlReport', () => {
  const entries = [
    {
      scenario: scenarioRecord('clean rollout', rollingRecords(), { marks, kubernetes: '1.37' }),
      verdict: 'passed' as const,
    },
    trafficVerdict(
      scenarioRecord('careless rollout', rollingRecords(4), { marks, kubernetes: '1.37' }),
      1000,
    ),
  ];
  const html = renderHtmlReport({ title: 'rollout-lab e2e', generatedAt: new Date(0), entries });

  it('is self-contained: no script, no external reference', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/);
    expect((html.match(/<svg /g) ?? []).length).toBe(2);
  });

  it('has the summary table, and a failed verdict with its reason', () => {
    expect(html).toContain(
      '<a href="#s1">clean rollout</a></td><td>1.37</td><td class="num">1500</td><td class="num">0</td><td class="passed">passed',
    );
    expect(html).toContain('<td class="failed">failed');
    expect(html).toContain('reset ×2 at 15.0–15.3 s; timeout ×2 at 15.0–15.3 s');
    expect(entries[1]?.verdict).toBe('failed');
  });

  it('lists failed tests that drew no chart, in both forms', () => {
    const input = {
      title: 't',
      generatedAt: new Date(0),
      entries,
      failures: ['tests/x.test.ts > setup: boom <b>'],
    };
    expect(renderHtmlReport(input)).toContain(
      '<li class="failed">tests/x.test.ts &#62; setup: boom &#60;b&#62;</li>',
    );
    expect(renderMarkdownSummary(input)).toContain('- ❌ tests/x.test.ts > setup: boom <b>');
  });

  it('calls too few requests a failure even without a failed one', () => {
    expect(trafficVerdict(scenarioRecord('short', rollingRecords().slice(0, 999)), 1000)).toMatchObject({
      verdict: 'failed',
      reason: '999 requests, fewer than 1000',
    });
  });

  it('has a Markdown twin for the GitHub step summary', () => {
    const md = renderMarkdownSummary({
      title: 'e2e',
      generatedAt: new Date(0),
      entries: entries.map((e) => ({ ...e, scenario: { ...e.scenario, chart: 'v1 |██|' } })),
    });
    expect(md).toContain('| clean rollout | 1.37 | 1500 | 0 | ✅ passed | 30.0 s |');
    expect(md).toContain('| careless rollout | 1.37 | 1500 | 4 | ❌ failed | 30.0 s |');
    expect(md).toContain('```text\nv1 |██|\n```');
  });
});
