// Adds up the JSON reports every vitest suite wrote into the one line CI reads: each workspace's
// .reports/vitest.json, and with --e2e every e2e/.reports/**/e2e.json (one per suite and Kubernetes
// minor). A package that has a test script but wrote no report counts as one failure: it did not run
// (with --e2e, the same holds when the e2e suite wrote no report at all).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = ['apps', 'packages'].flatMap((dir) =>
  readdirSync(join(root, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(dir, entry.name)),
);
workspaces.push('k8s', 'scripts');

let passed = 0;
let failed = 0;
let skipped = 0;

function add(label, file) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const suiteErrors = r.testResults.filter(
    (t) => t.status === 'failed' && t.assertionResults.length === 0,
  ).length;
  passed += r.numPassedTests;
  failed += r.numFailedTests + suiteErrors;
  skipped += r.numPendingTests + r.numTodoTests;
  console.log(`${label}: ${r.numPassedTests} passed, ${r.numFailedTests + suiteErrors} failed`);
}

for (const workspace of workspaces) {
  const manifest = join(root, workspace, 'package.json');
  if (!existsSync(manifest)) continue;
  if (!JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test) continue;
  const report = join(root, workspace, '.reports/vitest.json');
  if (existsSync(report)) add(`${workspace} test`, report);
  else {
    console.log(`${workspace}: no .reports/vitest.json (its test suite did not run)`);
    failed++;
  }
}

if (process.argv.includes('--e2e')) {
  const e2eReports = join(root, 'e2e/.reports');
  const found = existsSync(e2eReports)
    ? readdirSync(e2eReports, { recursive: true })
        .map(String)
        .filter((f) => f === 'e2e.json' || f.endsWith('/e2e.json'))
        .sort()
    : [];
  const failedBefore = failed;
  for (const file of found) add(`e2e ${relative(root, join(e2eReports, file))}`, join(e2eReports, file));
  if (!found.length) {
    console.log('e2e: no .reports/**/e2e.json (the e2e suite did not run)');
    failed++;
  }
  // A step outside the suites (a matrix cluster that could not be made) fails the run without a test.
  const exitAt = process.argv.indexOf('--e2e-exit');
  const e2eExit = exitAt > 0 ? Number(process.argv[exitAt + 1]) : 0;
  if (e2eExit !== 0 && failed === failedBefore) {
    console.log(
      `e2e: pnpm e2e exited ${e2eExit} with no failed test counted (a step outside the suites failed; see its log)`,
    );
    failed++;
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
