/**
 * Until `url` answers 10 times in a row (any status below 500), polled every 100 ms. Ready pods are not
 * yet a reachable Service: kube-proxy programs a new NodePort seconds later on two busy cores, and a
 * sampler started before that counts refused requests that no rollout caused.
 */
export async function untilAnswering(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let inARow = 0;
  let last = '';
  while (inARow < 10) {
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer 10 times in a row within ${timeoutMs / 1000} s (${last})`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      inARow = res.status < 500 ? inARow + 1 : 0;
      last = `HTTP ${res.status}`;
    } catch (error) {
      inARow = 0;
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
