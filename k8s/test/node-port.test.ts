import { describe, expect, it } from 'vitest';
import { applyWithFreeNodePort } from '../src/index.js';

const taken = {
  exitCode: 1,
  stderr:
    'The Service "svc-myapp" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
};

describe('applyWithFreeNodePort', () => {
  it('takes the first port the API server allocates', async () => {
    const tried: number[] = [];
    const port = await applyWithFreeNodePort([30080, 30081, 30082], async (p) => {
      tried.push(p);
      return p < 30082 ? taken : { exitCode: 0, stderr: '' };
    });
    expect(port).toBe(30082);
    expect(tried).toEqual([30080, 30081, 30082]);
  });

  it('throws any other refusal at once, and says when every port is taken', async () => {
    await expect(
      applyWithFreeNodePort([30080, 30081], async () => ({ exitCode: 1, stderr: 'forbidden: User "x"\n' })),
    ).rejects.toThrow('kubectl apply failed: forbidden: User "x"');
    await expect(applyWithFreeNodePort([30080, 30081], async () => taken)).rejects.toThrow(
      'no free NodePort in 30080-30081: every one is allocated in the cluster',
    );
  });
});
