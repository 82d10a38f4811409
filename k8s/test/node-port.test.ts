import { describe, expect, it } from 'vitest';
import { applyClaimingNodePorts, applyWithFreeNodePort, type K8sObject } from '../src/index.js';

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

describe('applyClaimingNodePorts', () => {
  const svc = (name: string): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] },
  });

  it('gives each NodePort Service a free port of its own, never chasing its own Services up the range', async () => {
    // A small API server: others hold 30081 and 30083; our Services keep what they were given.
    const holders = new Map<number, string>([
      [30081, 'other'],
      [30083, 'other'],
    ]);
    const applies: string[][] = [];
    const ports = await applyClaimingNodePorts(
      [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } },
        svc('svc-myapp'),
        svc('svc-myapp-preview'),
      ],
      [30080, 30081, 30082, 30083, 30084],
      async (items) => {
        applies.push(items.map((o) => o.metadata.name));
        for (const o of items.filter((i) => i.kind === 'Service')) {
          const port = o.spec.ports[0].nodePort as number;
          const holder = holders.get(port);
          if (holder && holder !== o.metadata.name)
            return { ...taken, stderr: taken.stderr.replace('30080', String(port)) };
          for (const [p, h] of holders) if (h === o.metadata.name) holders.delete(p);
          holders.set(port, o.metadata.name);
        }
        return { exitCode: 0, stderr: '' };
      },
    );
    expect(Object.fromEntries(ports)).toEqual({ 'svc-myapp': 30080, 'svc-myapp-preview': 30082 });
    // The Deployment once; each Service alone.
    expect(applies).toEqual([['d'], ['svc-myapp'], ['svc-myapp-preview'], ['svc-myapp-preview']]);
  });
});
