import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sleep } from 'zx';
import { repoRoot } from './config.js';
import { has, q } from './exec.js';
import { info, UserError, warn } from './log.js';

const CAP_SYS_RESOURCE = 24;
export const RUNC_WRAPPER = '/usr/local/lib/rollout-lab/runc-without-sys-resource';
const RUNTIME_NAME = 'rollout-lab-runc';
const DAEMON_JSON = '/etc/docker/daemon.json';
const DOCKERD_LOG = '/var/log/rollout-lab-dockerd.log';

/** Some sandboxes (microVMs) drop CAP_SYS_RESOURCE from every process's bounding set. */
export async function lacksSysResource(): Promise<boolean> {
  const status = await readFile('/proc/1/status', 'utf8').catch(() => '');
  const line = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  if (!line?.[1]) return false;
  return (BigInt(`0x${line[1]}`) & (1n << BigInt(CAP_SYS_RESOURCE))) === 0n;
}

/** cgroup v2 mounts one unified hierarchy whose root lists its controllers; v1 has no such file. */
export function cgroupV1(root = '/sys/fs/cgroup'): boolean {
  return !existsSync(join(root, 'cgroup.controllers'));
}

const sysctlFile = (key: string) => `/proc/sys/${key.replace(/\./g, '/')}`;
const readSysctl = async (key: string) =>
  Number((await readFile(sysctlFile(key), 'utf8').catch(() => '0')).trim());

/**
 * The CPU cgroup this process runs in, from /proc/self/cgroup's text: the v1 hierarchy that has the cpu
 * controller, else the v2 one ("/" is the root).
 */
export function cpuCgroup(procSelfCgroup: string): string | undefined {
  const lines = procSelfCgroup
    .trim()
    .split('\n')
    .map((line) => line.split(':'));
  const v1 = lines.find(([, controllers]) => controllers?.split(',').includes('cpu'));
  const v2 = lines.find(([id, controllers]) => id === '0' && controllers === '');
  return (v1 ?? v2)?.slice(2).join(':');
}

/**
 * Whether a SCHED_IDLE process of ours yields to the kind nodes: only when it sits in the root CPU
 * cgroup, where it competes with Docker's cgroup as a task of weight 3 against 1,024. In a cgroup of its
 * own (a systemd session on cgroup v2), that cgroup competes at its full weight, idle task or not.
 */
export async function idleYieldsToClusters(): Promise<boolean> {
  const text = await readFile('/proc/self/cgroup', 'utf8').catch(() => '');
  return cpuCgroup(text) === '/';
}

export interface HostCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** How to get it, when missing. */
  fix?: string;
  /** Only advice: the run goes on without it. */
  advisory?: boolean;
}

export async function checkHost(needOffline: boolean): Promise<HostCheck[]> {
  const checks: HostCheck[] = [];
  const node = process.versions.node;
  const major = Number(node.split('.')[0]);
  checks.push({
    name: 'node',
    ok: major >= 22,
    advisory: true,
    detail: `v${node}${major >= 22 ? '' : ' (end of life; the tooling is tested on 24)'}`,
    fix: 'Node.js 22 or newer (24 LTS tested): `source scripts/host/node24.sh` takes it from the npm registry',
  });
  for (const [key, wanted] of Object.entries(INOTIFY_LIMITS)) {
    const current = await readSysctl(key);
    checks.push({
      name: key,
      ok: current >= wanted,
      detail: `${current} (kind nodes need ${wanted})`,
      fix: `sysctl -w ${key}=${wanted} (\`pnpm cluster:up\` does it when run as root)`,
    });
  }
  const docker = await q`docker version --format {{.Server.Version}}`.nothrow();
  checks.push({
    name: 'docker engine',
    ok: docker.exitCode === 0,
    detail: docker.exitCode === 0 ? docker.stdout.trim() : 'not reachable',
    fix: 'install Docker (Debian: apt-get install docker.io) and start it; `pnpm cluster:up` does both when run as root',
  });
  if (docker.exitCode === 0) {
    const proxy = await userlandProxy();
    checks.push({
      name: 'docker userland-proxy',
      ok: proxy === 'off',
      advisory: true,
      detail:
        proxy === 'off'
          ? 'off: the kernel forwards the published NodePorts'
          : `${proxy}: a docker-proxy process relays every connection to a published NodePort`,
      fix: `"userland-proxy": false in ${DAEMON_JSON}, then restart dockerd (\`pnpm cluster:up\` does both when run as root)`,
    });
  }
  const shares = await containersCpuShares();
  if (shares !== undefined) {
    checks.push({
      name: "containers' CPU weight",
      ok: shares >= CONTAINERS_CPU_SHARES,
      advisory: true,
      detail: `Docker's cgroup at cpu.shares ${shares}${shares >= CONTAINERS_CPU_SHARES ? '' : `: all kind nodes together weigh ${(shares / 1024).toFixed(1)} of the host's sessions`}`,
      fix: `echo ${CONTAINERS_CPU_SHARES} > ${dockerCpuSharesFile()} (\`pnpm cluster:up\` does it when run as root)`,
    });
  }
  if (await lacksSysResource()) {
    const runtime = await q`docker info --format {{.DefaultRuntime}}`.nothrow();
    checks.push({
      name: 'runc without CAP_SYS_RESOURCE',
      ok: runtime.stdout.trim() === RUNTIME_NAME,
      detail: `this host's bounding set lacks CAP_SYS_RESOURCE; dockerd default runtime: ${runtime.stdout.trim() || '?'}`,
      fix: 'run `pnpm cluster:up` as root: it registers scripts/host/runc-without-sys-resource with dockerd',
    });
  }
  if (needOffline) {
    for (const tool of ['go', 'debootstrap', 'jq']) {
      checks.push({
        name: tool,
        ok: await has(tool),
        detail: 'needed to build the offline node image',
        fix: tool === 'go' ? 'install Go 1.24 or newer' : `apt-get install ${tool}`,
      });
    }
  }
  return checks;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function aptInstall(packages: string[]): Promise<void> {
  if (!isRoot()) {
    throw new UserError(`missing ${packages.join(', ')}: install with apt-get install ${packages.join(' ')}`);
  }
  info(`apt-get install ${packages.join(' ')}`);
  await q`apt-get update -qq`;
  await q({ env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })`apt-get install -y -qq ${packages}`;
}

/**
 * What this project asks of dockerd, merged into the host's daemon.json (its other keys are kept):
 * - `userland-proxy: false`: a published port (the NodePorts on 127.0.0.1) is DNATed by the kernel
 *   instead of relayed by one `docker-proxy` process per port. That process runs in Docker's own cgroup,
 *   not the containers', and under many short connections on two busy cores it falls behind: moby/moby
 *   #47537 reports its connect times on the 1 s / 3 s / 7 s SYN retransmit ladder. Undo: remove the key
 *   (or set it to true) and restart dockerd.
 * - on hosts without CAP_SYS_RESOURCE, the runc wrapper as the default runtime.
 */
export function wantedDaemonConfig(
  current: Record<string, unknown>,
  host: { lacksSysResource: boolean },
): Record<string, unknown> {
  const wanted: Record<string, unknown> = { ...current, 'userland-proxy': false };
  if (host.lacksSysResource) {
    wanted.runtimes = {
      ...((current.runtimes as object | undefined) ?? {}),
      [RUNTIME_NAME]: { path: RUNC_WRAPPER },
    };
    wanted['default-runtime'] = RUNTIME_NAME;
  }
  return wanted;
}

/** Writes daemon.json when it lacks what wantedDaemonConfig asks. Returns true when it changed. */
async function configureDockerd(lacksSysResource: boolean): Promise<boolean> {
  if (lacksSysResource) {
    await mkdir('/usr/local/lib/rollout-lab', { recursive: true });
    await copyFile(join(repoRoot, 'scripts/host/runc-without-sys-resource'), RUNC_WRAPPER);
    await chmod(RUNC_WRAPPER, 0o755);
  }
  const current = existsSync(DAEMON_JSON) ? JSON.parse(await readFile(DAEMON_JSON, 'utf8')) : {};
  const wanted = wantedDaemonConfig(current, { lacksSysResource });
  if (JSON.stringify(current) === JSON.stringify(wanted)) return false;
  await mkdir('/etc/docker', { recursive: true });
  await writeFile(DAEMON_JSON, `${JSON.stringify(wanted, null, 2)}\n`);
  info(
    `${DAEMON_JSON}: userland-proxy off${lacksSysResource ? `, ${RUNC_WRAPPER} as the default runtime` : ''}`,
  );
  return true;
}

/**
 * The CPU weight of the cgroup that holds every container (cgroup v1, Docker's cgroupfs driver:
 * `/docker`). At 1,024 all kind nodes together weigh as much as one session of the host (Linux's
 * autogroup scheduling), so a test session busy starting CLIs and kubectl took half of two cores from
 * the pods it measured: in the CI run of 2026-12-06 a worker node stopped for 2 s while four pods started
 * on it (its kubelet: "housekeeping took 1.986s"), and two requests to it got no answer. 4,096 lets the
 * nodes weigh four sessions; the samplers run in sessions of their own at nice -10 (9,548 each), so they
 * are not the ones that wait. Not kept across reboots; undo: write 1024 to the file.
 */
export const CONTAINERS_CPU_SHARES = 4096;

export type ContainersCpuWeight = { file: string; before: number; after: number } | { skipped: string };

/** Raises the containers' cgroup to CONTAINERS_CPU_SHARES (never lowers it), where this host has one. */
export async function raiseContainersCpuWeight(
  driver: string,
  root = '/sys/fs/cgroup',
): Promise<ContainersCpuWeight> {
  if (!cgroupV1(root)) return { skipped: 'cgroup v2: the containers sit in a systemd slice of their own' };
  if (driver !== 'cgroupfs')
    return { skipped: `Docker's cgroup driver is ${driver || 'unknown'}, not cgroupfs` };
  const file = dockerCpuSharesFile(root);
  try {
    // dockerd makes it at its first container, and keeps one that is there.
    await mkdir(dirname(file), { recursive: true });
    const before = (await containersCpuShares(root)) ?? 1024;
    if (before >= CONTAINERS_CPU_SHARES) return { file, before, after: before };
    await writeFile(file, String(CONTAINERS_CPU_SHARES));
    return { file, before, after: CONTAINERS_CPU_SHARES };
  } catch (error) {
    // A read-only cgroup filesystem (a host that is itself a container): the run goes on as it is.
    return { skipped: `${file} cannot be written (${(error as NodeJS.ErrnoException).code ?? error})` };
  }
}

/** Where Docker's cgroupfs driver keeps the weight of all its containers (cgroup v1). */
const dockerCpuSharesFile = (root = '/sys/fs/cgroup') => join(root, 'cpu', 'docker', 'cpu.shares');

/** The containers' cgroup weight as it is now (undefined before it exists, or on cgroup v2). */
export async function containersCpuShares(root = '/sys/fs/cgroup'): Promise<number | undefined> {
  if (!cgroupV1(root)) return undefined;
  const text = await readFile(dockerCpuSharesFile(root), 'utf8').catch(() => '');
  return text.trim() ? Number(text.trim()) : undefined;
}

/** Whether dockerd relays published ports through docker-proxy processes ('on') or the kernel ('off'). */
export async function userlandProxy(): Promise<'on' | 'off' | 'unknown'> {
  const config = existsSync(DAEMON_JSON)
    ? (JSON.parse(await readFile(DAEMON_JSON, 'utf8').catch(() => '{}')) as Record<string, unknown>)
    : {};
  const running = (await q`pgrep -x dockerd -a`.nothrow()).stdout;
  if (/--userland-proxy[= ]false/.test(running)) return 'off';
  if (/--userland-proxy[= ]true/.test(running)) return 'on';
  if (!running.trim()) return 'unknown';
  // dockerd's default is on; daemon.json is read only at its start, so the proxies themselves tell.
  const proxies = (await q`pgrep -x docker-proxy`.nothrow()).stdout.trim();
  if (proxies) return 'on';
  return config['userland-proxy'] === false ? 'off' : 'on';
}

async function dockerAnswers(): Promise<boolean> {
  return (await q`docker info --format {{.ServerVersion}}`.nothrow()).exitCode === 0;
}

async function startDockerd(): Promise<void> {
  if ((await q`pidof systemd`.nothrow()).exitCode === 0 && (await has('systemctl'))) {
    await q`systemctl restart docker`;
  } else {
    await q`pkill -x dockerd`.nothrow();
    for (let i = 0; i < 50 && (await q`pidof dockerd`.nothrow()).exitCode === 0; i++) await sleep(200);
    // No init system here: run it detached, its log beside the system's.
    await q`sh -c ${`setsid nohup dockerd >>${DOCKERD_LOG} 2>&1 </dev/null &`}`;
  }
  for (let i = 0; i < 60; i++) {
    if (await dockerAnswers()) return;
    await sleep(500);
  }
  throw new UserError(`dockerd did not start within 30 s; see ${DOCKERD_LOG}`);
}

/**
 * Makes this machine able to run kind: Docker installed and running, and on hosts without
 * CAP_SYS_RESOURCE the runc wrapper in place. Installs only what is missing (as root).
 */
export async function prepareHost(needOffline: boolean): Promise<void> {
  const missing = [];
  if (!(await has('dockerd')) && !(await dockerAnswers())) missing.push('docker.io');
  if (!(await has('jq'))) missing.push('jq');
  if (needOffline && !(await has('debootstrap'))) missing.push('debootstrap');
  if (missing.length) await aptInstall(missing);

  let restart = false;
  const noSysResource = await lacksSysResource();
  if (noSysResource && !isRoot())
    throw new UserError('this host lacks CAP_SYS_RESOURCE; run as root once to install the runc wrapper');
  // As root the project sets dockerd up itself; elsewhere host:check says how it runs.
  if (isRoot()) restart = await configureDockerd(noSysResource);
  if (!(await dockerAnswers())) {
    info('starting dockerd');
    await startDockerd();
  } else if (restart) {
    info('restarting dockerd for its new settings (its containers restart with it)');
    await startDockerd();
  }
  if (!(await dockerAnswers())) throw new UserError('the Docker engine is not reachable (docker info fails)');
  if (isRoot()) {
    const driver = (await q`docker info --format {{.CgroupDriver}}`.nothrow()).stdout.trim();
    const weight = await raiseContainersCpuWeight(driver);
    if ('after' in weight && weight.after !== weight.before)
      info(
        `containers' CPU weight: ${weight.file} ${weight.before} → ${weight.after} (not kept across reboots)`,
      );
  }
  await raiseInotifyLimits();
}

/**
 * Every kind node (systemd, the kubelet, kube-proxy) takes inotify instances from the host's one
 * per-user budget; Debian's 128 runs out at about six nodes, and kube-proxy then dies with "too many
 * open files" and the node serves no NodePort. kind's known-issues page gives these values.
 */
export const INOTIFY_LIMITS = {
  'fs.inotify.max_user_instances': 512,
  'fs.inotify.max_user_watches': 524_288,
};

async function raiseInotifyLimits(): Promise<void> {
  for (const [key, wanted] of Object.entries(INOTIFY_LIMITS)) {
    const current = await readSysctl(key);
    if (current >= wanted) continue;
    if (!isRoot()) {
      // Smaller runs may fit; a kube-proxy that runs out says "too many open files".
      warn(`${key} is ${current}; seven kind nodes need ${wanted}: sudo sysctl -w ${key}=${wanted}`);
      continue;
    }
    await writeFile(sysctlFile(key), String(wanted));
    info(`${key}: ${current} → ${wanted} (sysctl; not kept across reboots)`);
  }
}

/** docker build without BuildKit where the client has no buildx (Debian's docker.io). */
export async function dockerBuildEnv(): Promise<NodeJS.ProcessEnv> {
  const buildx = await q`docker buildx version`.nothrow();
  return buildx.exitCode === 0 ? process.env : { ...process.env, DOCKER_BUILDKIT: '0' };
}
