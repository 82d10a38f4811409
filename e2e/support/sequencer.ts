import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The sampled files, the one holding the longest test in a slot first (support/slots.ts). Two slots
 * serve the whole suite in the order tests ask, so a long test that asks last runs alone at the end
 * while the other slot idles: the 174 s tutorial did, 72 s of a 1,040 s sampled phase (`.ci/run` on
 * 2026-12-07, e2e/.reports/slots.json). Longest first fills both slots to the end. Vitest's own order
 * (by file size without a cache, by the last run's file time with one) does not: a file's time there
 * includes its wait for slots. A file not listed here starts before these, as vitest runs unknown
 * files first: a new file may be long.
 */
export const longestTestFirst = [
  'tests/tutorial.test.ts',
  'tests/canary-plan.test.ts',
  'tests/canary.test.ts',
  'tests/plan-operator.test.ts',
  'tests/seed-routes.test.ts',
  'tests/verify.test.ts',
  'tests/bluegreen-preview.test.ts',
  'tests/greeter.test.ts',
  'tests/bad-releases.test.ts',
  'tests/history.test.ts',
  'tests/rolling.test.ts',
  'tests/faults.test.ts',
  'tests/canary-analysis.test.ts',
  'tests/bluegreen.test.ts',
  'tests/smoke.test.ts',
];

/**
 * `files` (paths relative to e2e/) in the order `order` gives, files it does not name first; the sort is
 * stable, so those keep their order among themselves.
 */
export function inListedOrder(files: readonly string[], order: readonly string[]): string[] {
  const rank = (file: string) => order.indexOf(file);
  return [...files].sort((a, b) => rank(a) - rank(b));
}

/** Vitest's order of projects (sequence.groupOrder), and within a project longestTestFirst's. */
export default class LongestTestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const key = (spec: TestSpecification) => relative(this.ctx.config.root, spec.moduleId);
    const projects = [...new Set(sorted.map((spec) => spec.project.name))];
    return projects.flatMap((name) => {
      const specs = sorted.filter((spec) => spec.project.name === name);
      const order = inListedOrder(specs.map(key), longestTestFirst);
      return order.map((file) => specs.find((spec) => key(spec) === file) as TestSpecification);
    });
  }
}
