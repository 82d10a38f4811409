import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubernetesStagingReplaces } from '../lib/go.js';

describe('kubernetesStagingReplaces', () => {
  it('turns ./staging replaces into published v0.X.Y versions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8s-mod-'));
    writeFileSync(
      join(dir, 'go.mod'),
      'module k8s.io/kubernetes\n\nreplace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n\tk8s.io/client-go => ./staging/src/k8s.io/client-go\n\tgithub.com/x/y => github.com/x/y v1.0.0\n)\n',
    );
    expect(await kubernetesStagingReplaces(dir, 'v1.34.3')).toEqual([
      'k8s.io/api => k8s.io/api v0.34.3',
      'k8s.io/client-go => k8s.io/client-go v0.34.3',
    ]);
  });
});
