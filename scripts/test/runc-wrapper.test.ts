import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';

const wrapper = fileURLToPath(new URL('../host/runc-without-sys-resource', import.meta.url));
const caps = ['CAP_CHOWN', 'CAP_SYS_RESOURCE', 'CAP_SYS_ADMIN'];
const spec = (process: object) => JSON.stringify({ ociVersion: '1.0.2', process });
let dir: string;
let fakeRunc: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runc-wrapper-'));
  // Stands in for the real runc: records the arguments it was given.
  fakeRunc = join(dir, 'runc');
  writeFileSync(fakeRunc, `#!/bin/sh\necho "$@" > ${dir}/args\n`);
  chmodSync(fakeRunc, 0o755);
});

const run = (args: string[]) =>
  execFileSync(wrapper, args, { env: { ...process.env, ROLLOUT_LAB_REAL_RUNC: fakeRunc }, cwd: dir });

describe('runc-without-sys-resource', () => {
  it('drops CAP_SYS_RESOURCE from every set of the bundle on create, and passes the arguments on', () => {
    const bundle = join(dir, 'bundle');
    execFileSync('mkdir', [bundle]);
    const all = { bounding: caps, effective: caps, permitted: caps, inheritable: caps, ambient: caps };
    writeFileSync(join(bundle, 'config.json'), spec({ args: ['sh'], capabilities: all }));
    run(['--root', '/run/x', 'create', '--bundle', bundle, '--pid-file', 'p', 'id1']);
    const written = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
    for (const set of Object.values(written.process.capabilities)) {
      expect(set).toEqual(['CAP_CHOWN', 'CAP_SYS_ADMIN']);
    }
    expect(written.process.args).toEqual(['sh']);
    expect(readFileSync(join(dir, 'args'), 'utf8').trim()).toBe(
      `--root /run/x create --bundle ${bundle} --pid-file p id1`,
    );
  });

  it('edits the process spec given to exec', () => {
    const processFile = join(dir, 'process.json');
    writeFileSync(processFile, JSON.stringify({ args: ['ls'], capabilities: { bounding: caps } }));
    run(['exec', '--process', processFile, '--detach', 'id1']);
    expect(JSON.parse(readFileSync(processFile, 'utf8')).capabilities.bounding).toEqual([
      'CAP_CHOWN',
      'CAP_SYS_ADMIN',
    ]);
  });

  it('leaves other commands alone', () => {
    run(['state', 'id1']);
    expect(readFileSync(join(dir, 'args'), 'utf8').trim()).toBe('state id1');
  });
});
