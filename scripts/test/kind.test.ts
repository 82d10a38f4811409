import { existsSync } from 'node:fs';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cluster, nodesCluster } from '../lib/config.js';
import { kindDeleteArgs, kubeconfigPath, removeStaleLock } from '../lib/kind.js';

describe('kindDeleteArgs', () => {
  it('names each cluster’s own kubeconfig, so two deletes at once never share ~/.kube/config’s lock', () => {
    const a = kindDeleteArgs(cluster);
    const b = kindDeleteArgs(nodesCluster);
    expect(a.slice(-2)).toEqual(['--kubeconfig', kubeconfigPath(cluster)]);
    expect(b.slice(-2)).toEqual(['--kubeconfig', kubeconfigPath(nodesCluster)]);
    expect(kubeconfigPath(cluster)).not.toBe(kubeconfigPath(nodesCluster));
  });
});

describe('removeStaleLock', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('removes a lock older than a minute and keeps a fresh one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kind-lock-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(`${kubeconfig}.lock`, '');
    expect(await removeStaleLock(kubeconfig)).toBe(false);
    expect(existsSync(`${kubeconfig}.lock`)).toBe(true);
    const old = new Date(Date.now() - 120_000);
    await utimes(`${kubeconfig}.lock`, old, old);
    expect(await removeStaleLock(kubeconfig)).toBe(true);
    expect(existsSync(`${kubeconfig}.lock`)).toBe(false);
    expect(await removeStaleLock(kubeconfig)).toBe(false);
  });
});
