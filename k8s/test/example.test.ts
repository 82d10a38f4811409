import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type K8sObject, manifestsRoot, render } from '../src/index.js';

// examples/README.md promises that its table is every change from k8s/base to an adopted service's
// manifests: apply the table to the base, and greeter's manifests must come out.
const repoRoot = join(manifestsRoot, '..');

interface Row {
  kind: string;
  path: Array<string | number>;
  from: unknown;
  to: unknown;
}

/** `spec.a[0].b["x/y"]` → ['spec', 'a', 0, 'b', 'x/y'] */
function parsePath(text: string): Array<string | number> {
  const parts: Array<string | number> = [];
  for (const m of text.matchAll(/([^.[\]]+)|\[(\d+)\]|\["([^"]+)"\]/g)) {
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else if (m[3] !== undefined) parts.push(m[3]);
  }
  return parts;
}

const REMOVED = Symbol('removed');
const cell = (text: string): unknown => {
  if (text.startsWith('(removed')) return REMOVED;
  const code = /^`(.*?)`/.exec(text)?.[1];
  if (code === undefined) throw new Error(`table cell without a value: ${text}`);
  if (/^\d+$/.test(code)) return Number(code);
  if (code.startsWith('{')) return JSON.parse(code);
  return code;
};

function table(): Row[] {
  const text = readFileSync(join(repoRoot, 'examples/README.md'), 'utf8');
  const body = /<!-- adoption-table -->\n([\s\S]*?)<!-- \/adoption-table -->/.exec(text)?.[1] ?? '';
  return body
    .trim()
    .split('\n')
    .slice(2)
    .map((line) => {
      const [field = '', from = '', to = ''] = line
        .split(' | ')
        .map((c) => c.replace(/^\| |\s\|$/g, '').trim());
      const [kind = '', path = ''] = field.replace(/`/g, '').split(' ');
      return { kind, path: parsePath(path), from: cell(from), to: cell(to) };
    });
}

function get(obj: unknown, path: Array<string | number>): unknown {
  return path.reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], obj);
}

function set(obj: unknown, path: Array<string | number>, value: unknown) {
  const parent = get(obj, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path.at(-1) as string | number;
  if (value === REMOVED) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else (parent as Record<string | number, unknown>)[key] = value;
}

describe('examples/README.md: what to change to adopt your own service', () => {
  it('its table turns k8s/base into examples/greeter/k8s, field for field', async () => {
    const rows = table();
    expect(rows.length).toBeGreaterThanOrEqual(15);
    const base = await render(join(manifestsRoot, 'base'));
    const greeter = await render(join(repoRoot, 'examples/greeter/k8s'));
    const byKind = (objects: K8sObject[], kind: string) => objects.find((o) => o.kind === kind);
    for (const row of rows) {
      const object = byKind(base, row.kind);
      expect(object, `${row.kind} in k8s/base`).toBeDefined();
      // The "from" column is what the base has today: a stale table fails here.
      expect(get(object, row.path), `${row.kind} ${row.path.join('.')}`).toEqual(row.from);
      set(object, row.path, row.to);
    }
    expect(base.map((o) => o.kind).sort()).toEqual(greeter.map((o) => o.kind).sort());
    for (const kind of ['Deployment', 'Service']) expect(byKind(base, kind)).toEqual(byKind(greeter, kind));
  });

  it('the table cannot pass by accident: one row less and the manifests differ', async () => {
    const rows = table().filter((r) => !r.path.includes('containerPort'));
    const base = await render(join(manifestsRoot, 'base'));
    const greeter = await render(join(repoRoot, 'examples/greeter/k8s'));
    for (const row of rows)
      set(
        base.find((o) => o.kind === row.kind),
        row.path,
        row.to,
      );
    expect(base.find((o) => o.kind === 'Deployment')).not.toEqual(
      greeter.find((o) => o.kind === 'Deployment'),
    );
  });
});
