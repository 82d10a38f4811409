import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FAILURE_COLORS, renderHtmlReport, scenarioRecord, versionColors } from '../src/index.js';
import { rollingRecords } from './fixtures.js';
import { colourAt, decodePng } from './png.js';

/** A headless Chromium: ROLLOUT_LAB_CHROMIUM, else the first of Debian's and Google's names on PATH. */
function findChromium(): string | undefined {
  const candidates = [process.env.ROLLOUT_LAB_CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome'];
  return candidates.find(
    (c) => c && spawnSync(c, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0,
  );
}
const chromium = findChromium();
// In CI the browser is part of the run (.ci/run installs Debian's chromium): missing, it is a failure.
const missing = !chromium && process.env.CI !== 'true';

describe.skipIf(missing)(
  'the HTML report in a real headless Chromium (skipped without one outside CI)',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-lab-report-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('draws each version and the failures where they happened', () => {
      if (!chromium) throw new Error('no Chromium: apt-get install chromium, or set ROLLOUT_LAB_CHROMIUM');
      const scenario = scenarioRecord('rolling with failures', rollingRecords(10), {
        marks: { change: 10_000, 'old pods gone': 20_500 },
        kubernetes: '1.37',
      });
      const html = join(dir, 'report.html');
      const png = join(dir, 'report.png');
      writeFileSync(
        html,
        renderHtmlReport({
          title: 'browser check',
          generatedAt: new Date(),
          entries: [{ scenario, verdict: 'failed' }],
        }),
      );
      execFileSync(
        chromium,
        [
          '--headless',
          '--no-sandbox', // root in CI containers
          '--disable-gpu',
          '--hide-scrollbars',
          '--force-device-scale-factor=1',
          '--window-size=1000,800',
          `--screenshot=${png}`,
          pathToFileURL(html).href,
        ],
        { stdio: 'pipe', timeout: 60_000 },
      );
      const image = decodePng(readFileSync(png));
      console.log(`screenshot ${image.width}×${image.height}`);
      expect(image.width).toBe(1000);
      const colors = versionColors(['v1', 'v2']);
      const v1 = colourAt(image, colors.get('v1') as string);
      const v2 = colourAt(image, colors.get('v2') as string);
      const reset = colourAt(image, FAILURE_COLORS.reset as string);
      const timeout = colourAt(image, FAILURE_COLORS.timeout as string);
      console.log(JSON.stringify({ v1, v2, reset, timeout }));
      // The mix strip is 686 × 150 px, half v1 and half v2 by answers; legend swatches are 10 × 10.
      expect(v1.count).toBeGreaterThan(30_000);
      expect(v2.count).toBeGreaterThan(30_000);
      // v1 holds the left of the chart, v2 the right: drawn as a mix over time, not a blob.
      expect(v1.meanX).toBeLessThan(v2.meanX - 150);
      // Both failure classes are drawn (bars at 15 s plus their legend swatches), in the middle of the time axis.
      expect(reset.count).toBeGreaterThan(100);
      expect(timeout.count).toBeGreaterThan(100);
    });
  },
);
