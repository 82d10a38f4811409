import { formatErrors } from '@rollout-lab/traffic';
import { failureLines, type ScenarioRecord } from './scenario.js';
import { escapeXml as esc, renderSvgChart } from './svg.js';

export type Verdict = 'passed' | 'failed' | 'skipped';

export interface ReportEntry {
  scenario: ScenarioRecord;
  verdict: Verdict;
  /** Why, when the verdict is not passed (the test's first error line). */
  reason?: string;
}

export interface ReportInput {
  title: string;
  generatedAt: Date;
  entries: readonly ReportEntry[];
  /** Lines under the title: the command, the machine, where the JSON lives. */
  notes?: readonly string[];
  /** Failed tests that drew no chart (they failed before their traffic was reported). */
  failures?: readonly string[];
}

/**
 * The verdict a scenario's own traffic gives, for a report without a test run behind it (`rollout
 * verify`): passed with ≥ minRequests and no failure, else failed.
 */
export function trafficVerdict(scenario: ScenarioRecord, minRequests: number): ReportEntry {
  const s = scenario.summary;
  if (s.failed > 0) return { scenario, verdict: 'failed', reason: failureLines(scenario).join('; ') };
  if (s.requests < minRequests)
    return { scenario, verdict: 'failed', reason: `${s.requests} requests, fewer than ${minRequests}` };
  return { scenario, verdict: 'passed' };
}

const anchor = (i: number) => `s${i + 1}`;
const ms = (value: number) => `${value.toFixed(0)} ms`;

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:960px;color:#222;padding:0 12px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin:28px 0 6px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.passed{color:#1a7f37;font-weight:600}.failed{color:#c00;font-weight:600}.skipped{color:#777}
.notes{color:#555;margin:0 0 12px}section{border-top:1px solid #eee}
svg{max-width:100%;height:auto}code{background:#f3f3f3;padding:0 3px}
details pre{font-size:12px;overflow:auto;background:#fafafa;padding:8px}
`;

/** A single HTML file with inline CSS and SVG: it opens from disk, fetches nothing, runs no script. */
export function renderHtmlReport(input: ReportInput): string {
  const rows = input.entries.map((e, i) => {
    const s = e.scenario.summary;
    return `<tr><td><a href="#${anchor(i)}">${esc(e.scenario.name)}</a></td><td>${esc(e.scenario.kubernetes ?? '')}</td><td class="num">${s.requests}</td><td class="num">${s.failed}</td><td class="${e.verdict}">${e.verdict}${e.scenario.failuresInjected ? ' (failures injected)' : ''}</td><td class="num">${e.scenario.durationS.toFixed(1)} s</td></tr>`;
  });
  const totals = input.entries.reduce(
    (t, e) => ({
      requests: t.requests + e.scenario.summary.requests,
      failed: t.failed + (e.scenario.failuresInjected ? 0 : e.scenario.summary.failed),
      passed: t.passed + (e.verdict === 'passed' ? 1 : 0),
    }),
    { requests: 0, failed: 0, passed: 0 },
  );
  const sections = input.entries.map((e, i) => {
    const sc = e.scenario;
    const s = sc.summary;
    const facts = Object.entries(sc.facts).map(
      ([k, v]) => `<li>${esc(k)}: ${esc(typeof v === 'number' ? v.toFixed(1) : JSON.stringify(v))}</li>`,
    );
    const pods = Object.entries(s.pods)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([pod, count]) => `<li><code>${esc(pod)}</code> ${count}</li>`);
    const failures = failureLines(sc);
    return `<section id="${anchor(i)}">
<h2>${esc(sc.name)} <span class="${e.verdict}">${e.verdict}</span></h2>
${e.reason ? `<p class="failed">${esc(e.reason)}</p>` : ''}
${renderSvgChart(sc)}
<table><tr><th>requests</th><th>failed</th><th>answers by version</th><th>latency p50</th><th>p99</th><th>max</th><th>achieved rate</th><th>pods seen</th></tr>
<tr><td class="num">${s.requests}</td><td class="num">${s.failed}${s.failed ? ` (${esc(formatErrors(s.errors))})` : ''}</td><td>${esc(
      Object.entries(s.versions)
        .map(([v, c]) => `${v} ${c}`)
        .join(', '),
    )}</td><td class="num">${ms(s.latencyMs.p50)}</td><td class="num">${ms(s.latencyMs.p99)}</td><td class="num">${ms(s.latencyMs.max)}</td><td class="num">${s.achievedRate.toFixed(1)}/s</td><td class="num">${Object.keys(s.pods).length}</td></tr></table>
${failures.length ? `<p>Failures: ${esc(failures.join('; '))}</p>` : ''}
${facts.length ? `<ul>${facts.join('')}</ul>` : ''}
<details><summary>pods seen (answers each)</summary><ul>${pods.join('')}</ul></details>
${sc.test ? `<p class="notes">test: <code>${esc(sc.test)}</code></p>` : ''}
</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(input.title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(input.title)}</h1>
<p class="notes">${esc(input.generatedAt.toISOString())} · ${input.entries.length} scenarios, ${totals.passed} passed · ${totals.requests} requests, ${totals.failed} failed outside injected faults</p>
${(input.notes ?? []).map((line) => `<p class="notes">${esc(line)}</p>`).join('\n')}
${input.failures?.length ? `<h2 class="failed">${input.failures.length} failed tests without a chart</h2><ul>${input.failures.map((f) => `<li class="failed">${esc(f)}</li>`).join('')}</ul>` : ''}
<table><tr><th>scenario</th><th>Kubernetes</th><th>requests</th><th>failed</th><th>verdict</th><th>duration</th></tr>
${rows.join('\n')}
</table>
${sections.join('\n')}
</body></html>
`;
}

/** For $GITHUB_STEP_SUMMARY: the same table, and each scenario's text chart folded away. */
export function renderMarkdownSummary(input: ReportInput): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    `## ${input.title}`,
    '',
    '| scenario | Kubernetes | requests | failed | verdict | duration |',
    '|---|---|--:|--:|---|--:|',
    ...input.entries.map(
      (e) =>
        `| ${cell(e.scenario.name)} | ${e.scenario.kubernetes ?? ''} | ${e.scenario.summary.requests} | ${e.scenario.summary.failed} | ${e.verdict === 'passed' ? '✅' : e.verdict === 'failed' ? '❌' : '⏭️'} ${e.verdict}${e.scenario.failuresInjected ? ' (failures injected)' : ''} | ${e.scenario.durationS.toFixed(1)} s |`,
    ),
    '',
    ...(input.failures ?? []).map((f) => `- ❌ ${f}`),
    '',
  ];
  for (const e of input.entries) {
    if (!e.scenario.chart) continue;
    lines.push(
      `<details><summary>${esc(e.scenario.name)}</summary>`,
      '',
      '```text',
      e.scenario.chart,
      '```',
      '',
      '</details>',
      '',
    );
  }
  return lines.join('\n');
}
