// Canary plans as data: the schema's errors name the field; the analysis verdict from plain records.
import { readFileSync } from 'node:fs';
import type { RequestRecord } from '@rollout-lab/traffic';
import { describe, expect, it } from 'vitest';
import { describeHolder, leaseFree } from '../src/api/lease.js';
import { InvalidInputError } from '../src/errors.js';
import { describeStep, planLeaseName, stateOf } from '../src/strategies/plan.js';
import { judgeAnalysis } from '../src/strategies/plan-analysis.js';
import { canaryPlanSchema, MAX_PLAN_BYTES, parsePlan, validatePlan } from '../src/strategies/plan-schema.js';
import { aliasBomb } from './fake-cluster.js';

// The plan of issue 13, as written there.
const ISSUE_PLAN = `
apiVersion: rollout-lab.dev/v1
kind: CanaryPlan
stable: deploy-myapp
canary: deploy-myapp-canary
image: {myapp: rollout-lab/myapp:v2.0}
analysis: {url: http://127.0.0.1:30081/, rate: 50, maxErrorRate: 0.01, maxP99Ms: 500,
           checks: [{path: /preview, status: 200}]}
steps:
  - setWeight: 25
  - analysis: {duration: 20s}
  - setWeight: 50
  - pause: {}            # until \`rollout plan resume\`
  - setWeight: 100
`;

const base = () => parsePlan(ISSUE_PLAN) as unknown as Record<string, unknown>;
const raw = (change: (p: Record<string, unknown>) => void) => {
  const p = { apiVersion: 'rollout-lab.dev/v1', kind: 'CanaryPlan', ...structuredClone(base()) } as Record<
    string,
    unknown
  >;
  p.analysis = { url: 'http://127.0.0.1:30081/', rate: 50, maxErrorRate: 0.01 };
  p.steps = [{ setWeight: 25 }, { analysis: { duration: '20s' } }, { pause: {} }];
  change(p);
  return p;
};

describe('CanaryPlan schema', () => {
  it("reads the issue's plan", () => {
    const plan = parsePlan(ISSUE_PLAN);
    expect(plan).toMatchObject({
      stable: 'deploy-myapp',
      canary: 'deploy-myapp-canary',
      image: { myapp: 'rollout-lab/myapp:v2.0' },
      analysis: {
        url: 'http://127.0.0.1:30081/',
        rate: 50,
        maxErrorRate: 0.01,
        maxP99Ms: 500,
        checks: [{ path: '/preview', status: 200 }],
      },
    });
    expect(plan.steps.map(describeStep)).toEqual([
      'setWeight 25',
      'analysis 20 s',
      'setWeight 50',
      'pause (until resumed)',
      'setWeight 100',
    ]);
  });

  it.each([
    [
      (p: Record<string, unknown>) => ((p.steps as unknown[])[2] = { pause: { duration: 'soon' } }),
      'steps[2].pause.duration: expected a duration like 30s, got "soon"',
    ],
    [
      (p: Record<string, unknown>) => ((p.steps as unknown[])[0] = { setWeight: 120 }),
      'steps[0].setWeight: expected a whole number from 0 to 100, got 120',
    ],
    [
      (p: Record<string, unknown>) => ((p.steps as unknown[])[0] = { setWieght: 20 }),
      'steps[0].setWieght: unknown field (known: setWeight, pause, analysis)',
    ],
    [
      (p: Record<string, unknown>) => ((p.steps as unknown[])[0] = { setWeight: 20, pause: {} }),
      'steps[0]: expected one of setWeight, pause, analysis',
    ],
    [
      (p: Record<string, unknown>) => ((p.steps as unknown[])[2] = { pause: { duration: '5s', until: 'x' } }),
      'steps[2].pause.until: unknown field (known: duration)',
    ],
    [(p: Record<string, unknown>) => (p.steps = []), 'steps: expected a list of steps'],
    [
      (p: Record<string, unknown>) => (p.apiVersion = 'v1'),
      'apiVersion: expected rollout-lab.dev/v1, got "v1"',
    ],
    [(p: Record<string, unknown>) => (p.kind = 'Rollout'), 'kind: expected CanaryPlan, got "Rollout"'],
    [(p: Record<string, unknown>) => (p.canary = p.stable), 'canary: must be another Deployment than stable'],
    [
      (p: Record<string, unknown>) => (p.stable = 'deploy/../x'),
      'stable: "../x" is not a valid Deployment name',
    ],
    [
      (p: Record<string, unknown>) => (p.image = { myapp: 'Not An Image' }),
      'image.myapp: malformed image reference "Not An Image"',
    ],
    [(p: Record<string, unknown>) => (p.image = {}), 'image: expected {container: image}'],
    [
      (p: Record<string, unknown>) => ((p.analysis as Record<string, unknown>).url = 'file:///etc/passwd'),
      'analysis.url: expected an http:// URL',
    ],
    [
      (p: Record<string, unknown>) => ((p.analysis as Record<string, unknown>).maxErrorRate = 5),
      'analysis.maxErrorRate: expected a number from 0 to 1, got 5',
    ],
    [
      (p: Record<string, unknown>) =>
        ((p.analysis as Record<string, unknown>).checks = [{ path: 'preview', status: 200 }]),
      'analysis.checks[0].path: expected a path like /preview, got "preview"',
    ],
    [
      (p: Record<string, unknown>) => delete p.analysis,
      "steps[1].analysis: an analysis step needs the plan's analysis",
    ],
    [(p: Record<string, unknown>) => (p.replicas = 3), 'replicas: unknown field'],
    [(p: Record<string, unknown>) => delete p.canary, 'canary: required'],
    [
      (p: Record<string, unknown>) => ((p.steps as unknown[])[1] = { analysis: { duration: '99999999h' } }),
      'steps[1].analysis.duration: expected a duration from 1ms to 24d, got "99999999h"',
    ],
    [
      (p: Record<string, unknown>) => ((p.analysis as Record<string, unknown>).rate = '50'),
      'analysis.rate: expected a number from 1 to 500, got "50"',
    ],
  ])('names the bad field (%#)', (change, message) => {
    expect(() => validatePlan(raw(change))).toThrow(InvalidInputError);
    expect(() => validatePlan(raw(change))).toThrow(message);
  });

  it('lists every problem at once, and refuses what is not YAML or not a mapping', () => {
    const both = raw((p) => {
      p.kind = 'x';
      (p.steps as unknown[])[0] = { setWeight: -1 };
    });
    expect(() => validatePlan(both)).toThrow(
      /kind: expected CanaryPlan, got "x"; steps\[0\].setWeight: expected a whole number/,
    );
    expect(() => parsePlan('steps: [')).toThrow(/^not YAML: /);
    expect(() => parsePlan('- a\n- b')).toThrow('a CanaryPlan must be a YAML mapping');
  });

  it('takes whole percents only, as canary --weight does', () => {
    expect(() => validatePlan(raw((p) => ((p.steps as unknown[])[0] = { setWeight: 33.5 })))).toThrow(
      'steps[0].setWeight: expected a whole number from 0 to 100, got 33.5',
    );
  });

  it('refuses an alias bomb, a repeated key and an oversized file in one line, fast', () => {
    const bomb = aliasBomb('steps');
    expect(bomb.length).toBeLessThan(1024);
    const started = performance.now();
    expect(() => parsePlan(bomb)).toThrow(/^not YAML: Excessive alias count/);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(() => parsePlan('stable: a\nstable: b\n')).toThrow(/^not YAML: Map keys must be unique/);
    expect(() => parsePlan(`# ${'x'.repeat(MAX_PLAN_BYTES)}\n`)).toThrow(
      `a CanaryPlan is at most ${MAX_PLAN_BYTES} bytes, this one has ${MAX_PLAN_BYTES + 3}`,
    );
  });
});

describe('the JSON Schema editors read', () => {
  const docs = readFileSync(new URL('../../../docs/plans-and-gates.md', import.meta.url), 'utf8');

  it("is the one the CLI checks with, and accepts the docs' example plan, whose first line names it", () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(docs)?.[1] ?? '';
    expect(example).toMatch(/^# yaml-language-server: \$schema=/);
    expect(parsePlan(example).steps).toHaveLength(5);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.exports['./canary-plan.schema.json']).toBe('./dist/strategies/canary-plan.schema.json');
    expect(canaryPlanSchema.title).toBe('rollout-lab.dev/v1 CanaryPlan');
  });

  it('describes every field it takes, for the editor to show', () => {
    const undescribed: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (typeof node !== 'object' || node === null) return;
      const { properties } = node as { properties?: Record<string, { description?: string; $ref?: string }> };
      for (const [name, field] of Object.entries(properties ?? {})) {
        if (!field.description && !field.$ref && !['apiVersion', 'kind', 'path', 'status'].includes(name))
          undescribed.push(`${path}${name}`);
        walk(field, `${path}${name}.`);
        walk((field as { items?: unknown }).items, `${path}${name}[].`);
      }
    };
    walk(canaryPlanSchema, '');
    for (const [name, def] of Object.entries(canaryPlanSchema.definitions)) walk(def, `#${name}.`);
    expect(undescribed).toEqual([]);
  });
});

describe('plan analysis verdict', () => {
  const analysis = {
    url: 'http://x/',
    rate: 10,
    maxErrorRate: 0.05,
    maxP99Ms: 100,
    checks: [{ path: '/preview', status: 200 }],
  };
  const rec = (over: Partial<RequestRecord>): RequestRecord => ({
    seq: 0,
    scheduledAt: 0,
    startedAt: 0,
    endedAt: 10,
    status: 200,
    version: 'v1',
    pod: 'stable-1',
    ...over,
  });
  const good = Array.from({ length: 100 }, () => rec({}));
  const preview = [rec({ pod: 'canary-abc-1', status: 200 }), rec({ pod: 'stable-abc-1', status: 404 })];
  it('passes within the error rate and p99, with every canary answer of a check as expected', () => {
    const v = judgeAnalysis(
      analysis,
      good,
      [{ check: analysis.checks[0] as never, records: preview }],
      'canary-',
    );
    expect(v).toMatchObject({ passed: true, reasons: [] });
  });
  it('names each reason: error rate, p99, a check the canary failed or never answered', () => {
    const bad = [
      ...good.slice(0, 90),
      ...Array.from({ length: 10 }, () => rec({ error: 'http-5xx', status: 500, endedAt: 500 })),
    ];
    const v = judgeAnalysis(
      analysis,
      bad,
      [
        { check: { path: '/preview', status: 200 }, records: [rec({ pod: 'canary-abc-1', status: 404 })] },
        { check: { path: '/other', status: 200 }, records: [rec({ pod: 'stable-abc-1' })] },
      ],
      'canary-',
    );
    expect(v.passed).toBe(false);
    expect(v.reasons).toEqual([
      'error rate 10.0 % > 5.0 % (10 of 100)',
      expect.stringMatching(/^p99 \d+ ms > 100 ms$/),
      '/preview: 1 of 1 canary answers not 200 (e.g. 404)',
      "/other: no answer from the canary's pods",
    ]);
  });
  it('reads the state recorded on the stable Deployment', () => {
    const plan = parsePlan(ISSUE_PLAN);
    const d = {
      metadata: {
        annotations: {
          'rollout-lab.dev/plan': JSON.stringify(plan),
          'rollout-lab.dev/plan-step': '4',
          'rollout-lab.dev/plan-phase': 'paused',
        },
      },
    };
    expect(stateOf(d)).toEqual({ plan, step: 4, phase: 'paused' });
    expect(stateOf({ metadata: {} })).toBeUndefined();
  });
});

describe('plan ownership (Lease)', () => {
  const lease = (holderIdentity: string | undefined, renewedAgoS: number, now: number) => ({
    spec: {
      holderIdentity,
      leaseDurationSeconds: 15,
      acquireTime: new Date(now - 60_000),
      renewTime: new Date(now - renewedAgoS * 1000),
    },
  });
  const now = Date.parse('2026-12-05T12:00:00Z');

  it('is free when unheld, held by the asker, or not renewed within its duration', () => {
    expect(leaseFree(lease(undefined, 1, now), 'me', now)).toBe(true);
    expect(leaseFree(lease('me', 1, now), 'me', now)).toBe(true);
    expect(leaseFree(lease('them', 14, now), 'me', now)).toBe(false);
    expect(leaseFree(lease('them', 16, now), 'me', now)).toBe(true);
  });

  it('names its holder, since when and how fresh', () => {
    expect(describeHolder(lease('ci/42/ab', 4, now), now)).toBe(
      'held by ci/42/ab since 2026-12-05T11:59:00.000Z (renewed 4 s ago, 15 s lease)',
    );
  });

  it('is named after the stable Deployment, within a name length', () => {
    expect(planLeaseName('deploy-myapp')).toBe('rollout-lab-plan-deploy-myapp');
    expect(planLeaseName('x'.repeat(253))).toHaveLength(253);
  });
});
