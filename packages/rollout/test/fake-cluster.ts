// An in-memory stand-in for the API server's Deployments, for the thin write steps' unit tests: it keeps
// resourceVersion and generation as the API server does (409 on a stale resourceVersion, generation
// bumped by spec changes only) and plays a controller that completes every rollout at once. The e2e
// suite runs the same steps on a real cluster.
import { ApiException, type V1Deployment } from '@kubernetes/client-node';
import type { Cluster } from '../src/api/client.js';

type Patch = {
  metadata?: { resourceVersion?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
};
type Op = { op: string; path: string; value?: unknown };

export interface FakeCluster {
  cluster: Cluster;
  store: Map<string, V1Deployment>;
  /** Every write the API server took: name, dry run or not. */
  writes: Array<{ name: string; dryRun?: string; body: unknown }>;
  /** Runs after each stored write: a test's "someone else" acts here. */
  afterWrite?: (name: string) => void;
  /** Another writer's change: bumps resourceVersion, and generation when the spec changes. */
  change: (name: string, spec: Record<string, unknown>) => void;
}

const settle = (d: V1Deployment) => {
  const replicas = d.spec?.replicas ?? 0;
  d.status = {
    observedGeneration: d.metadata?.generation,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
  };
};

export function fakeCluster(deployments: V1Deployment[]): FakeCluster {
  let version = 100;
  const store = new Map(deployments.map((d) => [d.metadata?.name as string, structuredClone(d)]));
  for (const d of store.values()) settle(d);
  const writes: FakeCluster['writes'] = [];
  const get = (name: string) => {
    const d = store.get(name);
    if (!d) throw new ApiException(404, 'not found', { message: `deployments "${name}" not found` }, {});
    return d;
  };
  const store1 = (d: V1Deployment, specChanged: boolean) => {
    d.metadata = { ...d.metadata, resourceVersion: String(++version) };
    if (specChanged) d.metadata.generation = (d.metadata.generation ?? 1) + 1;
    settle(d);
  };
  const fake: FakeCluster = {
    store,
    writes,
    change: (name, spec) => {
      const d = get(name);
      d.spec = { ...d.spec, ...spec } as V1Deployment['spec'];
      store1(d, true);
    },
    cluster: {
      server: 'https://fake',
      namespace: 'default',
      apps: {
        readNamespacedDeployment: async ({ name }: { name: string }) => structuredClone(get(name)),
        listNamespacedDeployment: async ({ fieldSelector }: { fieldSelector: string }) => ({
          items: [structuredClone(get(fieldSelector.replace('metadata.name=', '')))],
          metadata: { resourceVersion: String(version) },
        }),
        listNamespacedReplicaSet: async () => ({ items: [] }),
        patchNamespacedDeployment: async ({
          name,
          body,
          dryRun,
        }: {
          name: string;
          body: Patch | Op[];
          dryRun?: string;
        }) => {
          const current = get(name);
          const next = structuredClone(current);
          const rv = Array.isArray(body)
            ? (body.find((o) => o.path === '/metadata/resourceVersion')?.value as string)
            : body.metadata?.resourceVersion;
          if (rv !== current.metadata?.resourceVersion) {
            throw new ApiException(409, 'conflict', { message: 'the object has been modified' }, {});
          }
          if (Array.isArray(body)) {
            for (const op of body) {
              if (op.path === '/spec/replicas')
                next.spec = { ...next.spec, replicas: op.value as number } as V1Deployment['spec'];
              if (op.path === '/spec/template')
                next.spec = { ...next.spec, template: op.value } as V1Deployment['spec'];
            }
          } else if (body.spec) {
            next.spec = { ...next.spec, ...body.spec } as V1Deployment['spec'];
          }
          writes.push({ name, dryRun, body });
          if (dryRun) return next;
          store.set(name, next);
          store1(next, JSON.stringify(next.spec) !== JSON.stringify(current.spec));
          fake.afterWrite?.(name);
          return structuredClone(next);
        },
      },
      core: {
        // One Service that selects every fake Deployment's pods (app: web), as a canary pair needs.
        listNamespacedService: async () => ({
          items: [{ metadata: { name: 'svc' }, spec: { selector: { app: 'web' } } }],
        }),
        listNamespacedPod: async () => ({ items: [], metadata: { resourceVersion: String(version) } }),
        readNamespace: async () => ({}),
      },
      watch: { watch: async () => new AbortController() },
    } as unknown as Cluster,
  };
  return fake;
}

export const fakeDeployment = (name: string, replicas: number, image = 'web:1'): V1Deployment => ({
  metadata: {
    name,
    namespace: 'demo',
    uid: `uid-${name}`,
    generation: 1,
    resourceVersion: '1',
    annotations: {},
  },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web', track: name } },
    template: {
      metadata: { labels: { app: 'web', track: name } },
      spec: { containers: [{ name: 'web', image }] },
    },
  },
});

/** A YAML "billion laughs" under `key`: nine levels of nine aliases, 9^9 nodes if expanded, < 1 KB. */
export function aliasBomb(key: string): string {
  const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++)
    levels.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${levels.join('\n')}\n${key}: *a8\n`;
}
