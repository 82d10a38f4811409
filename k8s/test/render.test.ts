import { describe, expect, it } from 'vitest';
import {
  CARELESS_OVERLAYS,
  type K8sObject,
  OVERLAYS,
  type Overlay,
  renderOverlay,
  TEST_OVERLAYS,
} from '../src/index.js';

const rendered = new Map<Overlay, K8sObject[]>();
const objects = async (overlay: Overlay) => {
  if (!rendered.has(overlay)) rendered.set(overlay, await renderOverlay(overlay));
  return rendered.get(overlay) as K8sObject[];
};
const deployments = async (overlay: Overlay) =>
  (await objects(overlay)).filter((o) => o.kind === 'Deployment');
const services = async (overlay: Overlay) => (await objects(overlay)).filter((o) => o.kind === 'Service');
/** svc-myapp: the Service every overlay has (blue-green adds a preview one). */
const service = async (overlay: Overlay) => {
  const main = (await services(overlay)).filter((o) => o.metadata.name === 'svc-myapp');
  expect(main).toHaveLength(1);
  return main[0] as K8sObject;
};
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** Names of the Deployments whose pods the Service sends traffic to. */
async function served(overlay: Overlay): Promise<string[]> {
  const svc = await service(overlay);
  return (await deployments(overlay))
    .filter((d) => selects(svc.spec.selector, d.spec.template.metadata.labels))
    .map((d) => d.metadata.name);
}

describe.each([...OVERLAYS, ...TEST_OVERLAYS])('overlay %s', (overlay) => {
  it('renders Deployments and one Service (plus a PodDisruptionBudget for node restarts, a preview Service for blue/green), all labelled app: myapp', async () => {
    const all = await objects(overlay);
    const budgets = overlay === 'test-node-restart' ? ['PodDisruptionBudget'] : [];
    const svcs = overlay === 'blue-green' ? ['Service', 'Service'] : ['Service'];
    const kinds = all.map((o) => o.kind).sort();
    const deploymentCount = all.length - svcs.length - budgets.length;
    expect(kinds).toEqual([...Array(deploymentCount).fill('Deployment'), ...budgets, ...svcs]);
    for (const obj of all) expect(obj.metadata.labels?.app).toBe('myapp');
  });

  it('exposes svc-myapp as a NodePort 80 → http on a fixed port the kind clusters publish (30080-30121)', async () => {
    const svc = await service(overlay);
    expect(svc.metadata.name).toBe('svc-myapp');
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.selector.app).toBe('myapp');
    expect(svc.spec.ports).toHaveLength(1);
    expect(svc.spec.ports[0]).toMatchObject({ port: 80, targetPort: 'http' });
    expect(svc.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30080);
    expect(svc.spec.ports[0].nodePort).toBeLessThanOrEqual(30121);
  });

  it('runs each Deployment with a surge-only rolling update, probes and a graceful stop', async () => {
    for (const d of await deployments(overlay)) {
      const pod = d.spec.template.spec;
      expect(d.metadata.name).toMatch(/^deploy-myapp/);
      expect(d.metadata.annotations?.['kubernetes.io/change-cause']).toBeTruthy();
      expect(selects(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
      expect(d.spec.strategy).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      });
      expect(pod.containers).toHaveLength(1);
      const c = pod.containers[0];
      expect(c.name).toBe('myapp');
      expect(c.image).toMatch(/^rollout-lab\/myapp:v[12]\.0$/);
      expect(c.imagePullPolicy).toBe('IfNotPresent');
      expect(c.ports).toEqual([{ name: 'http', containerPort: 8080 }]);
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.env).toContainEqual({
        name: 'POD_NAME',
        valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
      });
      const preStop = c.lifecycle.preStop.sleep.seconds as number;
      const drain = Number(c.env.find((e: { name: string }) => e.name === 'DRAIN_TIMEOUT_MS').value) / 1000;
      expect(preStop).toBeGreaterThanOrEqual(3);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + drain);
    }
  });

  it('meets Pod Security "restricted" and sets requests and limits', async () => {
    for (const d of await deployments(overlay)) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.hostNetwork ?? false).toBe(false);
      for (const c of pod.containers) {
        expect(c.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
      }
    }
  });
});

describe('strategies', () => {
  it('rolling: the seed Deployment, 3 replicas of v1', async () => {
    const [d] = await deployments('rolling');
    expect(d?.metadata.name).toBe('deploy-myapp');
    expect(d?.spec.replicas).toBe(3);
    expect(d?.spec.selector.matchLabels).toEqual({ app: 'myapp' });
    expect(await served('rolling')).toEqual(['deploy-myapp']);
  });

  it('canary: v1 ×3 and v2 ×1 both served, so v2 gets a quarter of new connections', async () => {
    const [stable, canary] = ['deploy-myapp', 'deploy-myapp-canary'].map(async (name) =>
      (await deployments('canary')).find((d) => d.metadata.name === name),
    );
    const s = (await stable) as K8sObject;
    const c = (await canary) as K8sObject;
    expect([s.spec.replicas, c.spec.replicas]).toEqual([3, 1]);
    expect(s.spec.template.metadata.labels).toMatchObject({ version: 'v1', track: 'stable' });
    expect(c.spec.template.metadata.labels).toMatchObject({ version: 'v2', track: 'canary' });
    expect(c.spec.template.spec.containers[0].image).toBe('rollout-lab/myapp:v2.0');
    expect((await service('canary')).spec.selector).toEqual({ app: 'myapp' });
    expect((await served('canary')).sort()).toEqual(['deploy-myapp', 'deploy-myapp-canary']);
    // Neither Deployment may claim the other's pods.
    expect(selects(s.spec.selector.matchLabels, c.spec.template.metadata.labels)).toBe(false);
    expect(selects(c.spec.selector.matchLabels, s.spec.template.metadata.labels)).toBe(false);
  });

  it('blue-green: the Service selects blue (v1); green (v2) waits at 0 replicas', async () => {
    const all = await deployments('blue-green');
    const blue = all.find((d) => d.metadata.name === 'deploy-myapp-blue') as K8sObject;
    const green = all.find((d) => d.metadata.name === 'deploy-myapp-green') as K8sObject;
    expect([blue.spec.replicas, green.spec.replicas]).toEqual([3, 0]);
    expect(green.spec.template.spec.containers[0].image).toBe('rollout-lab/myapp:v2.0');
    expect(green.spec.template.metadata.labels).toMatchObject({ color: 'green', version: 'v2' });
    expect((await service('blue-green')).spec.selector).toEqual({ app: 'myapp', color: 'blue' });
    expect(await served('blue-green')).toEqual(['deploy-myapp-blue']);
    // The preview Service selects the idle colour on a NodePort of its own.
    const preview = (await services('blue-green')).find((o) => o.metadata.name === 'svc-myapp-preview');
    expect(preview?.spec).toMatchObject({
      type: 'NodePort',
      selector: { app: 'myapp', color: 'green' },
      ports: [{ port: 80, targetPort: 'http', nodePort: 30085 }],
    });
  });

  it('gives every overlay its own nodePort, so they can share one cluster', async () => {
    const all = [...OVERLAYS, ...TEST_OVERLAYS, ...CARELESS_OVERLAYS];
    const ports = (
      await Promise.all(all.map(async (o) => (await services(o)).map((svc) => svc.spec.ports[0].nodePort)))
    ).flat();
    expect(ports.length).toBe(all.length + 1); // blue-green's preview
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('test-careless: the base without what makes a rollout safe, and nothing else changed', async () => {
    const [careless] = await deployments('test-careless');
    const [base] = await deployments('rolling');
    const c = careless?.spec.template.spec.containers[0];
    expect(c.readinessProbe).toBeUndefined();
    expect(c.lifecycle).toBeUndefined();
    expect(careless?.spec.minReadySeconds).toBeUndefined();
    expect(careless?.spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(c.env).toContainEqual({ name: 'SHUTDOWN_DELAY_MS', value: '0' });
    expect(c.env).toContainEqual({ name: 'DRAIN_QUIET_MS', value: '0' });
    expect(c.image).toBe(base?.spec.template.spec.containers[0].image);
    expect(c.livenessProbe).toEqual(base?.spec.template.spec.containers[0].livenessProbe);
  });

  it('test-fast-deadline: the rolling overlay with a 20 s progress deadline', async () => {
    const [d] = await deployments('test-fast-deadline');
    expect(d?.spec.progressDeadlineSeconds).toBe(20);
    expect(d?.spec.replicas).toBe(3);
  });

  it('test-node-restart: 4 replicas spread over the nodes, per revision, skipping tainted nodes; ≥ 2 kept through evictions', async () => {
    const [budget] = (await objects('test-node-restart')).filter((o) => o.kind === 'PodDisruptionBudget');
    expect(budget?.spec).toEqual({ minAvailable: 2, selector: { matchLabels: { app: 'myapp' } } });
    const [d] = await deployments('test-node-restart');
    expect(d?.spec.replicas).toBe(4);
    expect(d?.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    expect(d?.spec.template.spec.topologySpreadConstraints).toEqual([
      expect.objectContaining({
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'DoNotSchedule',
        nodeTaintsPolicy: 'Honor',
        matchLabelKeys: ['pod-template-hash'],
      }),
    ]);
  });
});
