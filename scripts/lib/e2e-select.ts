import { UserError } from './log.js';

/** The e2e files of each suite, relative to e2e/: tests/ on the one-node cluster, nodes/ on the three-node one. */
export interface Selection {
  main: string[];
  nodes: string[];
}

/**
 * `pnpm e2e [filter …]`: each filter picks the files whose path contains it, as vitest's own filters do;
 * none picks every file. A filter that matches no file is refused with the files there are.
 */
export function selectFiles(filters: readonly string[], files: readonly string[]): Selection {
  const picked = new Set<string>();
  for (const filter of filters) {
    const matches = files.filter((f) => f.includes(filter));
    if (!matches.length) {
      const names = files.map((f) => f.replace(/^.*\//, '').replace(/\.test\.ts$/, ''));
      throw new UserError(
        `pnpm e2e: no e2e file matches ${JSON.stringify(filter)}; files: ${names.join(', ')}`,
      );
    }
    for (const m of matches) picked.add(m);
  }
  const chosen = filters.length ? files.filter((f) => picked.has(f)) : files;
  return {
    main: chosen.filter((f) => f.startsWith('tests/')),
    nodes: chosen.filter((f) => f.startsWith('nodes/')),
  };
}
