import {
  assertNoErrors,
  assertVersions,
  renderChart,
  sampleInProcess,
  summarize,
} from '@rollout-lab/traffic';
import { describe, expect, it } from 'vitest';
import { cluster, deploy, podNames, useNamespace } from '../support/cluster.js';

// The rolling overlay with v1 on a real cluster, reached through its NodePort on 127.0.0.1.
describe('smoke: v1 behind svc-myapp', () => {
  const ns = useNamespace('rl-smoke', (namespace) =>
    deploy(cluster(), 'overlays/rolling', namespace, ['deploy-myapp']),
  );

  it('serves the seed v1 text from all 3 pods, 1,000 requests, zero errors', async () => {
    const pods = await podNames(ns.name, 'app=myapp');
    expect(pods).toHaveLength(3);
    const { records } = await sampleInProcess({
      url: ns.url(),
      rate: 100,
      maxRequests: 1000,
    });
    console.log(renderChart(records, { title: 'smoke: rolling overlay, v1' }));
    const summary = summarize(records);
    console.log(
      `requests ${summary.requests}, failed ${summary.failed}, pods ${JSON.stringify(summary.pods)}`,
    );
    expect(summary.requests).toBe(1000);
    assertNoErrors(records);
    assertVersions(records, ['v1']);
    expect(Object.keys(summary.pods).sort()).toEqual(pods);
  });
});
