// `kubectl rollout history` as kubectl prints it.
import type { RevisionInfo } from '../verbs/history.js';

/** The table `kubectl rollout history deployment/NAME` prints (tabwriter: 2 spaces of padding). */
export function formatHistory(name: string, rows: RevisionInfo[], wide = false): string {
  if (rows.length === 0) return 'No rollout history found.';
  const table = [
    wide ? ['REVISION', 'CHANGE-CAUSE', 'REPLICASET', 'IMAGES', 'REPLICAS'] : ['REVISION', 'CHANGE-CAUSE'],
    ...rows.map((r) => {
      const base = [String(r.revision), r.changeCause ?? '<none>'];
      if (!wide) return base;
      const imgs = Object.entries(r.images)
        .map(([c, i]) => `${c}=${i}`)
        .join(',');
      return [...base, r.replicaSet, imgs, `${r.replicas}${r.current ? ' (current)' : ''}`];
    }),
  ];
  const widths = table[0]?.map((_, col) => Math.max(...table.map((row) => row[col]?.length ?? 0)) + 2) ?? [];
  const lines = table.map((row) =>
    row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join(''),
  );
  return [`deployment.apps/${name} `, ...lines].join('\n');
}
