// The Kubernetes matrix table: scenario × minor → requests, failed, seconds.

export interface MatrixCell {
  minor: string;
  scenario: string;
  requests: number;
  failed: number;
  seconds: number;
  /** Failures are injected on purpose and bounded by the test (a faulty canary), not counted as lost. */
  failuresInjected?: boolean;
}

const cellText = (c: MatrixCell | undefined) =>
  c
    ? `${c.requests.toLocaleString('en-US')} req, ${c.failed} ${c.failuresInjected ? 'failed on purpose' : 'failed'}, ${c.seconds.toFixed(1)} s`
    : '—';

/** One row per scenario (in the order first seen), one column per minor (in the order given). */
export function formatMatrix(
  cells: readonly MatrixCell[],
  releases: ReadonlyArray<{ minor: string }>,
): string {
  const scenarios = [...new Set(cells.map((c) => c.scenario))];
  const header = ['scenario', ...releases.map((r) => `Kubernetes ${r.minor}`)];
  const rows = scenarios.map((scenario) => [
    scenario,
    ...releases.map((r) => cellText(cells.find((c) => c.scenario === scenario && c.minor === r.minor))),
  ]);
  const totals = releases.map((r) => {
    const mine = cells.filter((c) => c.minor === r.minor);
    return mine.length
      ? `${mine.reduce((n, c) => n + c.requests, 0).toLocaleString('en-US')} req, ${mine.reduce((n, c) => n + (c.failuresInjected ? 0 : c.failed), 0)} failed`
      : '—';
  });
  const all = [header, ...rows, ['all scenarios', ...totals]];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] as string).length)));
  const line = (r: string[]) => `| ${r.map((v, i) => v.padEnd(widths[i] as number)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...all.slice(1).map(line),
  ].join('\n');
}
