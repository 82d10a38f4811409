// Watches a namespace's EndpointSlices and pods while a sampler runs, so that a failed request can be
// told apart (@rollout-lab/traffic explainFailure): a pod still routed to after it left the endpoints, or
// the data path itself. Diagnostics only: a watch that fails leaves a gap, never a failed test.
import type { Cluster } from '@rollout-lab/rollout';
import type { EndpointState, EndpointTimeline, PodView } from '@rollout-lab/traffic';
import { podChanges } from '@rollout-lab/traffic';

interface SliceObject {
  metadata?: { name?: string };
  endpoints?: Array<{
    addresses?: string[];
    targetRef?: { kind?: string; name?: string };
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  }>;
}

interface PodObject {
  metadata?: { name?: string; deletionTimestamp?: unknown };
  status?: { conditions?: Array<{ type?: string; status?: string }> };
}

const endpointStates = (slice: SliceObject): EndpointState[] =>
  (slice.endpoints ?? []).flatMap((e) =>
    (e.addresses ?? []).map((ip) => ({
      ip,
      pod: e.targetRef?.kind === 'Pod' ? e.targetRef.name : undefined,
      // The API's rules for a missing condition: ready and serving unknown count as true, terminating false.
      ready: e.conditions?.ready !== false,
      serving: e.conditions?.serving ?? e.conditions?.ready !== false,
      terminating: e.conditions?.terminating === true,
    })),
  );

const podView = (pod: PodObject): PodView => ({
  name: pod.metadata?.name ?? '',
  ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
  deleting: Boolean(pod.metadata?.deletionTimestamp),
});

export interface NamespaceWatch {
  /** Stops both watches; the timeline so far. */
  stop(): EndpointTimeline;
}

/** Watches from now on; `clock` gives the sampler's time (ms), which the timeline's entries carry. */
export function watchEndpoints(k8s: Cluster, namespace: string, clock: () => number): NamespaceWatch {
  const timeline: EndpointTimeline = { slices: [], pods: [] };
  const pods = new Map<string, PodView>();
  const aborts: AbortController[] = [];
  let stopped = false;

  // A watch without a resourceVersion begins with an ADDED event per object: the state at its start.
  const follow = <O>(path: string, onEvent: (type: string, object: O) => void) => {
    const start = () => {
      if (stopped) return;
      k8s.watch
        .watch(
          path,
          { allowWatchBookmarks: false },
          (type, object: O) => {
            // BOOKMARK and ERROR (a Status) carry no object of ours.
            if (!stopped && (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED'))
              onEvent(type, object);
          },
          // Ended by the server (its timeout) or by an error: begin again, a second later.
          () => setTimeout(start, 1000).unref(),
        )
        .then(
          (abort) => {
            if (stopped) abort.abort();
            else aborts.push(abort);
          },
          () => setTimeout(start, 1000).unref(),
        );
    };
    start();
  };

  follow<SliceObject>(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, (type, slice) => {
    const name = slice.metadata?.name ?? '';
    timeline.slices.push({
      at: clock(),
      slice: name,
      endpoints: type === 'DELETED' ? undefined : endpointStates(slice),
    });
  });
  follow<PodObject>(`/api/v1/namespaces/${namespace}/pods`, (type, pod) => {
    const name = pod.metadata?.name ?? '';
    const next = type === 'DELETED' ? undefined : podView(pod);
    timeline.pods.push(...podChanges(pods.get(name), next, clock(), name));
    if (next) pods.set(name, next);
    else pods.delete(name);
  });

  return {
    stop() {
      stopped = true;
      for (const abort of aborts) abort.abort();
      return timeline;
    },
  };
}
