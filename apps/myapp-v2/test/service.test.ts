import { fileURLToPath } from 'node:url';
import { type SpawnedService, spawnService } from '@rollout-lab/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../bundle/server.cjs', import.meta.url));
let app: SpawnedService;
beforeAll(async () => {
  app = await spawnService(entry, { POD_NAME: 'deploy-myapp-v2-xyz' });
});
afterAll(() => app.stop());

describe('myapp-v2 as a process', () => {
  it('answers / with the v2 seed text', async () => {
    const res = await fetch(`${app.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.headers.get('x-app-version')).toBe('v2');
    expect(res.headers.get('x-pod-name')).toBe('deploy-myapp-v2-xyz');
    expect(await res.text()).toBe('This is Version2 service');
  });

  it('reports v2 on /version', async () => {
    const body = (await (await fetch(`${app.url}/version`)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ version: 'v2', pod: 'deploy-myapp-v2-xyz' });
  });

  it('serves the new feature preview that v1 lacks', async () => {
    const res = await fetch(`${app.url}/preview`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-app-version')).toBe('v2');
    expect(await res.json()).toMatchObject({ feature: 'preview', version: 'v2' });
  });
});
