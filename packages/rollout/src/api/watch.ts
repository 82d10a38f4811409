import { TimeoutError } from '../errors.js';
import type { Cluster } from './client.js';

export interface Verdict<T> {
  done: boolean;
  value?: T;
  /** Stops the wait with this error (e.g. ProgressDeadlineExceeded). */
  error?: Error;
  /** Where things stand, for progress output. */
  message: string;
}

interface KObject {
  metadata?: { uid?: string; name?: string; resourceVersion?: string };
}

export interface WatchUntilOptions<O extends KObject, T> {
  /** Collection path, e.g. /apis/apps/v1/namespaces/demo/deployments */
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  /** Lists the collection (the same selectors), for the starting state and after a broken watch. */
  list: () => Promise<{ items: O[]; resourceVersion?: string }>;
  evaluate: (objects: O[]) => Verdict<T>;
  timeoutMs: number;
  onProgress?: (message: string) => void;
}

/**
 * Lists, then watches from the list's resourceVersion, re-evaluating on every event until the verdict
 * says done. A watch that ends (server timeout, 410 Gone) is re-listed and resumed: no polling loop.
 */
export function watchUntil<O extends KObject, T>(
  cluster: Cluster,
  options: WatchUntilOptions<O, T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let lastMessage = '';
    let abort: AbortController | undefined;
    const objects = new Map<string, O>();
    const key = (o: O) => o.metadata?.uid ?? o.metadata?.name ?? '';

    const finish = (error: Error | undefined, value?: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      abort?.abort();
      if (error) reject(error);
      else resolve(value as T);
    };
    const check = () => {
      const verdict = options.evaluate([...objects.values()]);
      if (verdict.message !== lastMessage) {
        lastMessage = verdict.message;
        options.onProgress?.(verdict.message);
      }
      if (verdict.error) finish(verdict.error);
      else if (verdict.done) finish(undefined, verdict.value);
    };
    const timer = setTimeout(
      () => finish(new TimeoutError(`timed out after ${options.timeoutMs / 1000} s: ${lastMessage}`)),
      options.timeoutMs,
    );

    const start = async () => {
      if (settled) return;
      const listed = await options.list();
      objects.clear();
      for (const item of listed.items) objects.set(key(item), item);
      check();
      if (settled) return;
      const query: Record<string, string | boolean> = { allowWatchBookmarks: true };
      if (listed.resourceVersion) query.resourceVersion = listed.resourceVersion;
      if (options.fieldSelector) query.fieldSelector = options.fieldSelector;
      if (options.labelSelector) query.labelSelector = options.labelSelector;
      abort = await cluster.watch.watch(
        options.path,
        query,
        (type, object: O) => {
          if (type === 'ADDED' || type === 'MODIFIED') objects.set(key(object), object);
          else if (type === 'DELETED') objects.delete(key(object));
          else return; // BOOKMARK, ERROR: the done callback restarts
          check();
        },
        () => {
          // The watch ended; unless we are done, start over from a fresh list.
          if (!settled) setTimeout(() => start().catch((e: Error) => finish(e)), 200);
        },
      );
    };
    start().catch((e: Error) => finish(e));
  });
}
