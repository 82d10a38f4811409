import type { ScenarioRecord } from '@rollout-lab/report';
import { describe, expect, it } from 'vitest';
import { failedWithoutScenario, reportEntries, testOutcomes } from '../lib/e2e-report.js';

const json = {
  testResults: [
    {
      name: '/repo/e2e/tests/rolling.test.ts',
      assertionResults: [
        { ancestorTitles: ['rolling update'], title: 'v1 → v2', status: 'passed', failureMessages: [] },
        {
          ancestorTitles: ['rolling update'],
          title: 'v2 → v1',
          status: 'failed',
          failureMessages: ['AssertionError: 3 of 1500 requests failed\n    at …'],
        },
        {
          ancestorTitles: ['rolling update'],
          title: 'setup only',
          status: 'failed',
          failureMessages: ['boom'],
        },
      ],
    },
  ],
};

const scenario = (name: string, test: string | undefined, failed = 0, failuresInjected = false) =>
  ({ name, test, failuresInjected, summary: { failed } }) as unknown as ScenarioRecord;

describe('the e2e report joins scenarios with their tests', () => {
  const outcomes = testOutcomes(json, '/repo/e2e');

  it('keys outcomes as report() names its test', () => {
    expect([...outcomes.keys()]).toEqual([
      'tests/rolling.test.ts > rolling update > v1 → v2',
      'tests/rolling.test.ts > rolling update > v2 → v1',
      'tests/rolling.test.ts > rolling update > setup only',
    ]);
  });

  it("takes the test's verdict and first error line, else judges by the traffic", () => {
    const entries = reportEntries(
      [
        scenario('up', 'tests/rolling.test.ts > rolling update > v1 → v2'),
        scenario('down', 'tests/rolling.test.ts > rolling update > v2 → v1', 3),
        scenario('orphan, lost requests', 'tests/gone.test.ts > x', 2),
        scenario('orphan, injected', undefined, 5, true),
      ],
      outcomes,
    );
    expect(entries.map((e) => [e.scenario.name, e.verdict, e.reason])).toEqual([
      ['up', 'passed', undefined],
      ['down', 'failed', 'AssertionError: 3 of 1500 requests failed'],
      ['orphan, lost requests', 'failed', '2 requests failed (no test outcome)'],
      ['orphan, injected', 'passed', undefined],
    ]);
  });

  it('lists failed tests that drew no chart', () => {
    const drawn = [scenario('down', 'tests/rolling.test.ts > rolling update > v2 → v1')];
    expect(failedWithoutScenario(outcomes, drawn)).toEqual([
      'tests/rolling.test.ts > rolling update > setup only: boom',
    ]);
  });
});
