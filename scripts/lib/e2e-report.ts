// Joins what the e2e suites left in e2e/.reports into the HTML report and the GitHub step summary:
// each scenario's record (support/traffic.ts report()) with the verdict of the test that wrote it.
import type { ReportEntry, ScenarioRecord, Verdict } from '@rollout-lab/report';

/** The part of vitest's JSON report read here. */
export interface VitestJson {
  testResults: Array<{
    name: string;
    assertionResults: Array<{
      ancestorTitles: string[];
      title: string;
      status: string;
      failureMessages?: string[];
    }>;
  }>;
}

export interface TestOutcome {
  verdict: Verdict;
  reason?: string;
}

/** Test outcomes keyed as report() names them: "tests/file.test.ts > describe > title". */
export function testOutcomes(json: VitestJson, e2eRoot: string): Map<string, TestOutcome> {
  const outcomes = new Map<string, TestOutcome>();
  const root = e2eRoot.endsWith('/') ? e2eRoot : `${e2eRoot}/`;
  for (const file of json.testResults) {
    const path = file.name.startsWith(root) ? file.name.slice(root.length) : file.name;
    for (const t of file.assertionResults) {
      const verdict: Verdict =
        t.status === 'passed' ? 'passed' : t.status === 'failed' ? 'failed' : 'skipped';
      const reason = t.failureMessages?.[0]?.split('\n')[0];
      outcomes.set([path, ...t.ancestorTitles, t.title].join(' > '), {
        verdict,
        ...(verdict === 'failed' && reason ? { reason } : {}),
      });
    }
  }
  return outcomes;
}

/**
 * A scenario's verdict is its test's. A record whose test left no outcome (the run was cut short) is
 * judged by its own traffic: failed if a request failed that was not injected on purpose.
 */
export function reportEntries(
  scenarios: readonly ScenarioRecord[],
  outcomes: ReadonlyMap<string, TestOutcome>,
): ReportEntry[] {
  return scenarios.map((scenario) => {
    const outcome = scenario.test ? outcomes.get(scenario.test) : undefined;
    if (outcome) return { scenario, ...outcome };
    const lost = scenario.summary.failed > 0 && !scenario.failuresInjected;
    return lost
      ? {
          scenario,
          verdict: 'failed',
          reason: `${scenario.summary.failed} requests failed (no test outcome)`,
        }
      : { scenario, verdict: 'passed' };
  });
}

/** Failed tests that drew no chart (they failed before their traffic was reported), for the notes. */
export function failedWithoutScenario(
  outcomes: ReadonlyMap<string, TestOutcome>,
  scenarios: readonly ScenarioRecord[],
): string[] {
  const drawn = new Set(scenarios.map((s) => s.test));
  return [...outcomes]
    .filter(([test, o]) => o.verdict === 'failed' && !drawn.has(test))
    .map(([test, o]) => `${test}: ${o.reason ?? 'failed'}`);
}

/** One line of a suite's probe-failures.jsonl (e2e/support/probes.ts). */
export interface NamespaceProbeFailures {
  namespace: string;
  counts: Record<string, number>;
}

/**
 * A suite's probe failures in one line: totals by kind and cause, then the namespaces with any
 * ("Readiness timeout 3, Readiness status 503 12 — rl-faults-1a2b3c: …").
 */
export function summarizeProbeFailures(jsonl: string): { totals: Record<string, number>; line: string } {
  const totals: Record<string, number> = {};
  const perNamespace: string[] = [];
  for (const text of jsonl.split('\n')) {
    if (!text.trim()) continue;
    const entry = JSON.parse(text) as NamespaceProbeFailures;
    const counts = Object.entries(entry.counts);
    for (const [k, n] of counts) totals[k] = (totals[k] ?? 0) + n;
    perNamespace.push(`${entry.namespace} (${counts.map(([k, n]) => `${k} ${n}`).join(', ')})`);
  }
  const sum = Object.entries(totals)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return { totals, line: sum ? `${sum}; in ${perNamespace.join('; ')}` : 'none' };
}
