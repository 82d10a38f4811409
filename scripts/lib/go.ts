import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cachePath } from './config.js';
import { atIdlePriority, logged, q } from './exec.js';

export interface GoBuild {
  /** Cache key and log name, e.g. "kubernetes-v1.34.3". */
  name: string;
  module: string;
  version: string;
  /**
   * Main packages to build; each gives one binary named after its last path element. `./cmd/x` is a
   * package of the wrapper module itself, written from `sources`.
   */
  packages: string[];
  /** Files of the wrapper module's own (path → content), written once the module is downloaded (its folder is passed). */
  sources?: (moduleDir: string) => Promise<Record<string, string>>;
  ldflags?: string[];
  /** Extra go.mod replace lines, computed once the module is downloaded (its folder is passed). */
  replaces?: (moduleDir: string) => Promise<string[]>;
  /** 'idle': only CPU time nothing else wants (a build ahead of need, beside a suite). */
  priority?: 'normal' | 'idle';
  /** Stops the build (its go command is killed); nothing half-built is left in the cache. */
  signal?: AbortSignal;
  /** Told the CPU seconds (user + sys) of each go command of the build, compilers included, as it ends. */
  cpuSeconds?: (seconds: number) => void;
}

/** The children's CPU seconds (user + sys) from the last line of bash's `times`, e.g. "12m3.4s 1m0.6s". */
export function childrenSeconds(timesOutput: string): number | undefined {
  const last = timesOutput.trim().split('\n').at(-1) ?? '';
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(last.trim());
  if (!m) return undefined;
  const [userMin, userS, sysMin, sysS] = m.slice(1).map(Number) as [number, number, number, number];
  return userMin * 60 + userS + sysMin * 60 + sysS;
}

/** Downloads a module and returns its folder in the module cache. */
export async function moduleDir(module: string, version: string): Promise<string> {
  const out = await q`go mod download -json ${`${module}@${version}`}`;
  return (JSON.parse(out.stdout) as { Dir: string }).Dir;
}

const binaryName = (pkg: string) =>
  pkg
    .split('/')
    .filter((part) => !/^v\d+$/.test(part))
    .pop() as string;

/** The binaries a build makes, by name, if every one of them is already in the cache. */
export function builtBinaries(build: Pick<GoBuild, 'name' | 'packages'>): Record<string, string> | undefined {
  const outDir = cachePath('bin', build.name);
  const binaries = Object.fromEntries(
    build.packages.map((pkg) => [binaryName(pkg), join(outDir, binaryName(pkg))]),
  );
  return Object.values(binaries).every((file) => existsSync(file)) ? binaries : undefined;
}

/**
 * Builds main packages of a published module into cache/bin/<name>/, through a throw-away wrapper
 * module (so that the module's own replace lines can be restated). Skips the build when every binary
 * is already there: the cache is keyed by name, which carries the version.
 */
export async function goBuild(build: GoBuild): Promise<Record<string, string>> {
  const cached = builtBinaries(build);
  if (cached) return cached;
  const outDir = cachePath('bin', build.name);
  const work = cachePath('go', build.name);
  await mkdir(work, { recursive: true });
  const dir = await moduleDir(build.module, build.version);
  const goVersion = /^go (\S+)$/m.exec(await readFile(join(dir, 'go.mod'), 'utf8'))?.[1] ?? '1.24';
  const replaces = [
    `${build.module} => ${build.module} ${build.version}`,
    ...((await build.replaces?.(dir)) ?? []),
  ];
  await writeFile(
    join(work, 'go.mod'),
    `module rollout-lab.local/build/${build.name}\n\ngo ${goVersion}\n\nrequire ${build.module} ${build.version}\n\nreplace (\n${replaces.map((r) => `\t${r}`).join('\n')}\n)\n`,
  );
  // Imports the published main packages only for `go mod tidy`; the tag keeps it out of any build.
  const published = build.packages.filter((p) => !p.startsWith('./'));
  await writeFile(
    join(work, 'tools.go'),
    `//go:build tools\n\npackage tools\n\nimport (\n${published.map((p) => `\t_ "${p}"`).join('\n')}\n)\n`,
  );
  for (const [path, content] of Object.entries((await build.sources?.(dir)) ?? {})) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), content);
  }
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
  const go = async (args: string[]): Promise<[string, string[]]> => {
    const [command, rest] = build.priority === 'idle' ? await atIdlePriority('go', args) : ['go', args];
    if (!build.cpuSeconds) return [command, rest];
    // bash's `times` after the command: its CPU with the compilers', which Node cannot read of a child.
    return ['bash', ['-c', '"$@"; rc=$?; times; exit $rc', 'go-build', command, ...rest]];
  };
  const run = async (log: string, args: string[]) => {
    const stdout = await logged(log, ...(await go(args)), { cwd: work, env, signal: build.signal });
    const seconds = build.cpuSeconds ? childrenSeconds(stdout) : undefined;
    if (seconds !== undefined) build.cpuSeconds?.(seconds);
  };
  await run(`go-tidy-${build.name}`, ['mod', 'tidy']);
  const ldflags = ['-s', '-w', ...(build.ldflags ?? [])].join(' ');
  // Into a folder of its own, renamed when every binary is there: a build that was stopped leaves no
  // binary the cache check above would take for a finished one.
  const partial = `${outDir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await run(`go-build-${build.name}`, [
    'build',
    '-trimpath',
    '-ldflags',
    ldflags,
    '-o',
    `${partial}/`,
    ...build.packages,
  ]);
  await rm(outDir, { recursive: true, force: true });
  await rename(partial, outDir);
  return builtBinaries(build) as Record<string, string>;
}

/** k8s.io/kubernetes points its staging modules at ./staging; a dependant must name real versions. */
export async function kubernetesStagingReplaces(dir: string, kubernetesVersion: string): Promise<string[]> {
  const staging = `v0.${kubernetesVersion.replace(/^v1\./, '')}`;
  const goMod = await readFile(join(dir, 'go.mod'), 'utf8');
  return [...goMod.matchAll(/^\s*(k8s\.io\/[\w.-]+) => \.\/staging\//gm)].map(
    (m) => `${m[1]} => ${m[1]} ${staging}`,
  );
}
