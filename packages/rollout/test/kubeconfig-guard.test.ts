// Bounded kubeconfig reads: too large, endless or an alias bomb is one InvalidInputError (exit 2).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../src/api/client.js';
import { checkKubeconfigFile, kubeconfigFiles, MAX_KUBECONFIG_BYTES } from '../src/api/kubeconfig-guard.js';
import { InvalidInputError } from '../src/errors.js';
import { aliasBomb } from './fake-cluster.js';

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'rl-kc-')), 'config');
  writeFileSync(path, text);
  return path;
};

describe('kubeconfig read with a bound', () => {
  it('refuses an alias bomb, an oversized file and an endless one in one line', () => {
    const bomb = file(aliasBomb('clusters'));
    expect(() => connect({ kubeconfig: bomb })).toThrow(InvalidInputError);
    expect(() => checkKubeconfigFile(bomb)).toThrow(/^kubeconfig \S+: Excessive alias count/);
    const big = file(`# ${'x'.repeat(MAX_KUBECONFIG_BYTES)}\n`);
    expect(() => checkKubeconfigFile(big)).toThrow(
      `larger than ${MAX_KUBECONFIG_BYTES} bytes; not a kubeconfig`,
    );
    expect(() => checkKubeconfigFile('/dev/zero')).toThrow('kubeconfig /dev/zero: larger than');
  });

  it('leaves missing and malformed files to client-node, and reads what client-node would', () => {
    expect(() => checkKubeconfigFile('/nonexistent/config')).not.toThrow();
    expect(() => checkKubeconfigFile(file('clusters: ['))).not.toThrow();
    expect(kubeconfigFiles('/a')).toEqual(['/a']);
    expect(kubeconfigFiles(undefined, { KUBECONFIG: '/a:/b' })).toEqual(['/a', '/b']);
  });
});
