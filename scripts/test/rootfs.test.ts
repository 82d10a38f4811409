import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { versions } from '../lib/config.js';
import { withoutProxyPlugins } from '../offline/rootfs.js';

describe('withoutProxyPlugins', () => {
  it('drops the proxy_plugins table and its sub-tables, keeps every other table and line', () => {
    const config = [
      'version = 2',
      '',
      '[proxy_plugins]',
      '# fuse-overlayfs is used for rootless',
      '[proxy_plugins."fuse-overlayfs"]',
      '  type = "snapshot"',
      '  address = "/run/containerd-fuse-overlayfs.sock"',
      '',
      '[plugins."io.containerd.grpc.v1.cri".containerd]',
      '  snapshotter = "overlayfs"',
      '  [proxy_plugins_not.this]',
      '  kept = true',
    ].join('\n');
    expect(withoutProxyPlugins(config)).toBe(
      [
        'version = 2',
        '',
        '[plugins."io.containerd.grpc.v1.cri".containerd]',
        '  snapshotter = "overlayfs"',
        '  [proxy_plugins_not.this]',
        '  kept = true',
      ].join('\n'),
    );
  });

  it('knows a header with spaces inside its brackets, an array of tables and a comment after it', () => {
    const config = [
      '[ proxy_plugins ] # none here',
      '[[proxy_plugins.x]]',
      '  address = "/run/x.sock"',
      '[plugins]',
      '  list = [',
      '    ["a"],',
      '  ]',
    ].join('\n');
    expect(withoutProxyPlugins(config)).toBe(['[plugins]', '  list = [', '    ["a"],', '  ]'].join('\n'));
  });

  it('leaves a config without proxy plugins as it is', () => {
    const config = '[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "x"\n';
    expect(withoutProxyPlugins(config)).toBe(config);
  });

  it("removes the fuse-overlayfs socket from kind's own config when its module is at hand", async (t) => {
    let cache: string;
    try {
      cache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
    } catch {
      return t.skip('no Go here');
    }
    const file = join(
      cache,
      `sigs.k8s.io/kind@${versions.kind}`,
      'images/base/files/etc/containerd/config.toml',
    );
    const config = await readFile(file, 'utf8').catch(() => undefined);
    if (config === undefined) return t.skip(`kind ${versions.kind}'s module is not downloaded here`);
    expect(config).toContain('containerd-fuse-overlayfs.sock');
    const stripped = withoutProxyPlugins(config);
    expect(stripped).not.toContain('proxy_plugins');
    expect(stripped).not.toContain('fuse-overlayfs');
    expect(stripped).toContain('SystemdCgroup = true');
    expect(stripped).toContain('[plugins."io.containerd.grpc.v1.cri".containerd]');
  });
});
