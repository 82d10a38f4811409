// Adds up the JSON reports every vitest suite wrote (.reports/vitest.json) into the one line CI reads.
// A package that has a test script but wrote no report counts as one failure: it did not run
// (with --e2e, the same holds for the e2e suite).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = ['apps', 'packages'].flatMap((dir) =>
  readdirSync(join(root, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(dir, entry.name)),
);
workspaces.push('k8s', 'scripts', 'e2e');

let passed = 0;
let failed = 0;
let skipped = 0;
for (const workspace of workspaces) {
  const manifest = join(root, workspace, 'package.json');
  if (!existsSync(manifest)) continue;
  const scripts = JSON.parse(readFileSync(manifest, 'utf8')).scripts ?? {};
  for (const [name, file] of [
    ['test', '.reports/vitest.json'],
    ['e2e', '.reports/e2e.json'],
    ['e2e:nodes', '.reports/e2e-nodes.json'],
  ]) {
    if (!scripts[name]) continue;
    const report = join(root, workspace, file);
    if (!existsSync(report)) {
      if (name === 'test' || process.argv.includes('--e2e')) {
        console.log(`${workspace}: no ${file} (its ${name} suite did not run)`);
        failed++;
      }
      continue;
    }
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const suiteErrors = r.testResults.filter(
      (t) => t.status === 'failed' && t.assertionResults.length === 0,
    ).length;
    passed += r.numPassedTests;
    failed += r.numFailedTests + suiteErrors;
    skipped += r.numPendingTests + r.numTodoTests;
    console.log(`${workspace} ${name}: ${r.numPassedTests} passed, ${r.numFailedTests + suiteErrors} failed`);
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
