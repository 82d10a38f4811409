import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Each test file's wall-clock start and end, hooks included (vitest's JSON report times the tests
 * alone), for the timing table `pnpm e2e` prints. Written to <outputFile's folder>/files.json.
 */
export default class TimingReporter implements Reporter {
  private readonly started = new Map<string, number>();
  private readonly rows: Array<{
    file: string;
    startMs: number;
    endMs: number;
    tests: number;
    status: string;
  }> = [];
  constructor(private readonly file: string) {}

  onTestModuleStart(module: TestModule) {
    this.started.set(module.moduleId, Date.now());
  }

  onTestModuleEnd(module: TestModule) {
    this.rows.push({
      file: relative(join(import.meta.dirname, '..'), module.moduleId),
      startMs: this.started.get(module.moduleId) ?? Date.now(),
      endMs: Date.now(),
      tests: [...module.children.allTests()].length,
      status: module.state(),
    });
  }

  onTestRunEnd() {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, `${JSON.stringify(this.rows, null, 2)}\n`);
  }
}
