import { get, type IncomingHttpHeaders } from 'node:http';
import { CLIENT_CLOSES } from './sampler.js';

/** One answer, as `accept` sees it. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
}

export interface AnsweringOptions {
  /** Default 60 s. */
  timeoutMs?: number;
  /** Answers in a row that count; default 10. */
  inARow?: number;
  /** Which answers count; default any status below 500. */
  accept?: (answer: Answer) => boolean;
  /** Who must answer, for the error: "did not answer from <from> …" (e.g. a pod name prefix). */
  from?: string;
}

/**
 * Until `url` answers `inARow` times in a row with an answer `accept` takes, one request every 100 ms,
 * each on a connection of its own: kube-proxy picks an endpoint per connection, so answers on one
 * kept-alive connection would say nothing of the others. Ready pods are not yet a reachable Service:
 * kube-proxy programs a new NodePort, or a selector's new endpoints, seconds later on two busy cores,
 * and a sampler started before that counts failures no rollout caused.
 */
export async function untilAnswering(url: string, options: AnsweringOptions = {}): Promise<void> {
  const { timeoutMs = 60_000, inARow = 10, accept = (a: Answer) => a.status < 500, from } = options;
  // Refused at once: retried, a wrong URL or count would only end at the deadline.
  if (!URL.canParse(url) || new URL(url).protocol !== 'http:')
    throw new Error(`untilAnswering needs an http:// URL, got ${JSON.stringify(url)}`);
  if (!Number.isInteger(inARow) || inARow < 1)
    throw new Error(`untilAnswering needs a whole number of answers from 1, got ${inARow}`);
  if (!(timeoutMs > 0)) throw new Error(`untilAnswering needs a timeout above 0 ms, got ${timeoutMs}`);
  const deadline = Date.now() + timeoutMs;
  let answered = 0;
  let last = '';
  while (answered < inARow) {
    if (Date.now() > deadline)
      throw new Error(
        `${url} did not answer${from ? ` from ${from}` : ''} ${inARow} times in a row within ${timeoutMs / 1000} s (${last})`,
      );
    try {
      const answer = await ask(url);
      const ok = accept(answer);
      answered = ok ? answered + 1 : 0;
      const pod = answer.headers['x-pod-name'];
      last = `HTTP ${answer.status}${pod ? ` from pod ${pod}` : ''}${ok ? '' : ', not accepted'}`;
    } catch (error) {
      answered = 0;
      last = (error as Error).message;
    }
    if (answered < inARow) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * How long a connection may take to open: well under Linux's first SYN retransmission (1 s). A SYN that
 * gets no answer (a Service not yet programmed drops it) is given up and the next request opens a new
 * connection; waited out, the kernel would send it again, and the host's count of SYN retransmits over a
 * suite, which is to say how the data path under test fared, would count this wait's probes too. The
 * margin is for the event loop: a test process on two busy cores ran this timer 124 ms late or more (a
 * traced SYN resent at 1.024 s under a 900 ms timeout). A connection that opens at all opens in
 * milliseconds here.
 */
export const CONNECT_TIMEOUT_MS = 500;

/** How long an answer may take once connected. */
const ANSWER_TIMEOUT_MS = 2000;

/**
 * One GET on a fresh connection that this side closes (CLIENT_CLOSES), its body read to the end. Its
 * timeouts are not cut short by the caller's deadline (at most one ask runs past it): a cut one would say
 * less than the last full one.
 */
function ask(url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, headers: CLIENT_CLOSES, timeout: ANSWER_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('socket', (socket) => {
      const unconnected = setTimeout(
        () => req.destroy(new Error(`no connection within ${CONNECT_TIMEOUT_MS} ms`)),
        CONNECT_TIMEOUT_MS,
      );
      socket.once('connect', () => clearTimeout(unconnected));
      socket.once('close', () => clearTimeout(unconnected));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}
