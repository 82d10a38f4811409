import { describe, expect, it } from 'vitest';
import { formatMatrix } from '../lib/matrix.js';

describe('formatMatrix', () => {
  it('puts each scenario on a row and each minor in a column, with totals (injected failures apart) and a dash where nothing ran', () => {
    const table = formatMatrix(
      [
        { minor: '1.37', scenario: 'rolling v1 to v2', requests: 1115, failed: 0, seconds: 22.31 },
        { minor: '1.37', scenario: 'node restart', requests: 1204, failed: 0, seconds: 40 },
        { minor: '1.36', scenario: 'rolling v1 to v2', requests: 1098, failed: 1, seconds: 21.96 },
        {
          minor: '1.36',
          scenario: 'faulty canary',
          requests: 1000,
          failed: 37,
          seconds: 20,
          failuresInjected: true,
        },
      ],
      [{ minor: '1.37' }, { minor: '1.36' }, { minor: '1.35' }],
    );
    expect(table.split('\n')).toEqual([
      '| scenario         | Kubernetes 1.37             | Kubernetes 1.36                         | Kubernetes 1.35 |',
      '|------------------|-----------------------------|-----------------------------------------|-----------------|',
      '| rolling v1 to v2 | 1,115 req, 0 failed, 22.3 s | 1,098 req, 1 failed, 22.0 s             | —               |',
      '| node restart     | 1,204 req, 0 failed, 40.0 s | —                                       | —               |',
      '| faulty canary    | —                           | 1,000 req, 37 failed on purpose, 20.0 s | —               |',
      '| all scenarios    | 2,319 req, 0 failed         | 2,098 req, 1 failed                     | —               |',
    ]);
  });
});
