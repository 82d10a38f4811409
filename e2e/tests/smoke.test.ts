import { assertNoErrors, assertVersions, renderChart, sample, summarize } from '@rollout-lab/traffic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyOverlay,
  createNamespace,
  nodePortUrl,
  waitForPods,
  waitForRollout,
} from '../support/cluster.js';

// The rolling overlay with v1 on a real cluster, reached through its NodePort on 127.0.0.1.
describe('smoke: v1 behind svc-myapp', () => {
  let ns: Awaited<ReturnType<typeof createNamespace>>;
  beforeAll(async () => {
    ns = await createNamespace('rl-smoke');
    await applyOverlay('rolling', ns.name);
    await waitForRollout(ns.name, 'deploy-myapp');
  });
  afterAll(async () => {
    await ns?.remove();
  });

  it('serves the seed v1 text from all 3 pods with zero errors', async () => {
    const pods = await waitForPods(ns.name, 'app=myapp', 3);
    const { records } = await sample({
      url: nodePortUrl(30080),
      rate: 50,
      durationMs: 8000,
      timeoutMs: 2000,
    });
    console.log(renderChart(records, { title: 'smoke: rolling overlay, v1' }));
    const summary = summarize(records);
    console.log(
      `requests ${summary.requests}, failed ${summary.failed}, pods ${JSON.stringify(summary.pods)}`,
    );
    expect(summary.requests).toBe(400);
    assertNoErrors(records);
    assertVersions(records, ['v1']);
    expect(Object.keys(summary.pods).sort()).toEqual(pods);
  });
});
