import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { classifyNetworkError, type ResponseClassifier, seedClassifier } from './classify.js';
import type { RequestRecord } from './types.js';

export interface SamplerOptions {
  /** An http:// URL, e.g. http://127.0.0.1:30080/ */
  url: string;
  /** Requests started per second, on a fixed schedule whatever the answers take (open loop). */
  rate: number;
  /** Stop scheduling after this long. At least one of durationMs and maxRequests is required. */
  durationMs?: number;
  /** Stop scheduling after this many requests. */
  maxRequests?: number;
  /** Per-request deadline for the complete answer; default 2000 ms. */
  timeoutMs?: number;
  /**
   * Reuse connections. Off by default: kube-proxy balances per connection, so keep-alive would pin a
   * client to a few pods and skew a canary share.
   */
  keepAlive?: boolean;
  classify?: ResponseClassifier;
  /** Called with each record as it completes (live charts). */
  onRecord?: (record: RequestRecord) => void;
  /**
   * The sampler's zero on the `performance.timeOrigin + performance.now()` scale; default: now. A sampler
   * in a worker thread takes its parent's, so that both sides' elapsed() agree.
   */
  origin?: number;
}

export interface SampleResult {
  /** Ordered by seq (schedule order). */
  records: RequestRecord[];
  rate: number;
  /** Wall-clock time of the sampler's zero, for correlating with cluster events. */
  startedAtEpochMs: number;
  /** CPU time (user + system) the sampler's own process used, when it ran in one (startSamplerProcess). */
  cpuMs?: number;
}

export interface Sampler {
  /** Records completed so far (completion order). */
  readonly records: readonly RequestRecord[];
  /** Milliseconds since the sampler's zero. */
  elapsed(): number;
  /** Stops scheduling, waits for requests in flight, and resolves with every record. */
  stop(): Promise<SampleResult>;
  /** Resolves when the schedule ran out (durationMs / maxRequests) and every request has finished. */
  readonly done: Promise<SampleResult>;
}

export class SamplerOptionsError extends Error {
  override name = 'SamplerOptionsError';
}

/** A monotonic clock that threads of one process share (each thread's performance.now() has its own zero). */
export const clock = () => performance.timeOrigin + performance.now();

/** A hard cap so that a forgotten sampler cannot run for ever. */
const MAX_DURATION_MS = 15 * 60_000;
const MAX_BODY_BYTES = 64 * 1024;

/** Throws SamplerOptionsError for options no sampler can run with. */
export function validate(options: SamplerOptions): URL {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new SamplerOptionsError(`not a URL: ${JSON.stringify(options.url)}`);
  }
  if (url.protocol !== 'http:')
    throw new SamplerOptionsError(`only http:// URLs are sampled, got ${url.protocol}`);
  if (!(options.rate > 0 && options.rate <= 5000)) {
    throw new SamplerOptionsError(`rate must be between 0 and 5000 requests/s, got ${options.rate}`);
  }
  if (options.durationMs === undefined && options.maxRequests === undefined) {
    throw new SamplerOptionsError('give durationMs or maxRequests: the sampler is bounded');
  }
  return url;
}

const SAMPLER_HEADERS = { 'user-agent': 'rollout-lab-sampler' };

/**
 * For a connection of its own per request: without `Connection: close` the server keeps the socket after
 * its answer and the client, which has no use for it, closes it first, so TIME_WAIT stays on this host.
 * Closed by the server, each connection left a TIME_WAIT socket in the pod for 60 s (3,600 at 60 requests
 * a second), and a later SYN that NAT gave the same addresses and ports met one: dropped there on the
 * timestamp check (TCP_RFC7323_TW_PAWS), answered by a stray ACK, resent. Every such SYN counted as a
 * host SYN retransmit though the connection opened within milliseconds, hiding the ones a lost SYN costs
 * (1 s). Fresh connections still: the client's agent keeps none.
 */
export const CLIENT_CLOSES = { connection: 'keep-alive' } as const;

export function startSampler(options: SamplerOptions): Sampler {
  const url = validate(options);
  const interval = 1000 / options.rate;
  const timeoutMs = options.timeoutMs ?? 2000;
  const classify = options.classify ?? seedClassifier;
  const durationMs = Math.min(options.durationMs ?? MAX_DURATION_MS, MAX_DURATION_MS);
  const maxRequests = Math.min(
    options.maxRequests ?? Number.POSITIVE_INFINITY,
    Math.ceil(durationMs / interval),
  );
  // Idle sockets are dropped after 2 s, before a server's usual 5 s keep-alive timeout can race a request.
  const agent = options.keepAlive
    ? new Agent({ keepAlive: true, maxSockets: 256, timeout: 2000 })
    : undefined;

  const origin = options.origin ?? clock();
  const startedAtEpochMs = Date.now() - (clock() - origin);
  const now = () => clock() - origin;
  const records: RequestRecord[] = [];
  let inFlight = 0;
  let next = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let finish: (result: SampleResult) => void = () => {};
  const done = new Promise<SampleResult>((resolve) => {
    finish = resolve;
  });

  const settleIfIdle = () => {
    if (!stopped || inFlight > 0) return;
    agent?.destroy();
    finish({ records: [...records].sort((a, b) => a.seq - b.seq), rate: options.rate, startedAtEpochMs });
  };

  const fire = (seq: number, scheduledAt: number) => {
    const startedAt = now();
    inFlight++;
    let ended = false;
    const end = (fields: Omit<RequestRecord, 'seq' | 'scheduledAt' | 'startedAt' | 'endedAt'>) => {
      if (ended) return;
      ended = true;
      clearTimeout(deadline);
      const record: RequestRecord = { seq, scheduledAt, startedAt, endedAt: now(), ...fields };
      if (connectMs !== undefined) record.connectMs = connectMs;
      records.push(record);
      inFlight--;
      options.onRecord?.(record);
      settleIfIdle();
    };
    const req = request(url, {
      method: 'GET',
      agent: agent ?? false,
      headers: agent ? SAMPLER_HEADERS : { ...SAMPLER_HEADERS, ...CLIENT_CLOSES },
    });
    // Whether the TCP handshake finished tells a lost SYN (or a full accept queue) from a slow server.
    let connected = false;
    let connectMs: number | undefined;
    req.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else
        socket.once('connect', () => {
          connected = true;
          connectMs = now() - startedAt;
        });
    });
    const deadline = setTimeout(() => {
      // A timer that fires late means this sampler was not running at the deadline: an answer may be
      // waiting unread. Said in the record, so that a timeout is never silently the client's.
      const late = now() - startedAt - timeoutMs;
      end({
        error: 'timeout',
        detail: `${connected ? 'no answer' : 'no connection'} in ${timeoutMs} ms${late >= 50 ? `; the sampler's deadline fired ${Math.round(late)} ms late` : ''}`,
      });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      end({ error: classifyNetworkError(error), detail: error.code ?? error.message });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      res.on('error', (error: NodeJS.ErrnoException) => {
        end({
          status: res.statusCode,
          error: classifyNetworkError(error),
          detail: error.code ?? error.message,
        });
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        end({ status, ...classify(status, res.headers, Buffer.concat(chunks).toString('utf8')) });
      });
      // A response cut short emits 'aborted' then 'close' without 'end'.
      res.on('close', () => {
        if (!res.complete) end({ status: res.statusCode, error: 'reset', detail: 'response cut short' });
      });
    });
    req.end();
  };

  const tick = () => {
    timer = undefined;
    if (stopped) return;
    const elapsed = now();
    while (next < maxRequests && next * interval <= elapsed) {
      fire(next, next * interval);
      next++;
    }
    if (next >= maxRequests) {
      stopped = true;
      settleIfIdle();
      return;
    }
    timer = setTimeout(tick, Math.max(0, next * interval - now()));
  };
  tick();

  return {
    records,
    elapsed: now,
    done,
    stop() {
      if (!stopped) {
        stopped = true;
        if (timer) clearTimeout(timer);
        settleIfIdle();
      }
      return done;
    },
  };
}

/** Runs a bounded sampler to the end. */
export function sample(options: SamplerOptions): Promise<SampleResult> {
  return startSampler(options).done;
}
