import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { versions } from '../lib/config.js';
import { q } from '../lib/exec.js';
import { corednsMain } from '../offline/binaries.js';

describe('corednsMain', () => {
  const cfg = `# Directives are registered in the order they should be executed.
#
# <plugin-name>:<package-name>

metadata:metadata
kubernetes:kubernetes
route53:route53
etcd:etcd
forward:forward
on:github.com/coredns/caddy/onevent
`;

  it('imports every plugin but the ones left out, a package with a slash as it is', () => {
    const main = corednsMain(cfg, ['route53', 'etcd']);
    expect(main).toContain('\t_ "github.com/coredns/coredns/plugin/kubernetes"\n');
    expect(main).toContain('\t_ "github.com/coredns/caddy/onevent"\n');
    expect(main).not.toMatch(/plugin\/(route53|etcd)"/);
    expect(main.match(/^\t_ "/gm)).toHaveLength(4);
    expect(main).toContain('func main() { coremain.Run() }');
  });

  it('refuses a name to leave out that the file does not have, naming the ones it has', () => {
    expect(() => corednsMain(cfg, ['azure'])).toThrow(
      'plugin.cfg has no plugin azure to leave out; known: metadata, kubernetes, route53, etcd, forward, on',
    );
    expect(() => corednsMain('kubernetes\n', [])).toThrow('plugin.cfg: "kubernetes" is not name:package');
  });

  it("leaves out the cloud and tracing plugins of the pinned CoreDNS's plugin.cfg", async (ctx) => {
    const dir = (await q`go mod download -json ${`github.com/coredns/coredns@${versions.coredns}`}`.nothrow())
      .stdout;
    // Not downloaded, and no module proxy answers: reported as skipped (the build would say so too).
    if (!dir) ctx.skip();
    const main = corednsMain(await readFile(join(JSON.parse(dir).Dir, 'plugin.cfg'), 'utf8'));
    for (const kept of ['kubernetes', 'forward', 'cache', 'loop', 'reload', 'loadbalance', 'health', 'ready'])
      expect(main).toContain(`/plugin/${kept}"`);
    for (const left of ['route53', 'azure', 'clouddns', 'etcd', 'trace'])
      expect(main).not.toContain(`/plugin/${left}"`);
  });
});
