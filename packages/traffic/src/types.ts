/** Why a request did not count as a good answer. */
export type ErrorKind =
  | 'refused' // nobody listening: ECONNREFUSED
  | 'reset' // the connection broke mid-request: ECONNRESET, EPIPE, socket hang up
  | 'timeout' // no complete answer within timeoutMs
  | 'http-5xx' // the server answered with a status >= 500
  | 'http-status' // any other status outside 2xx
  | 'unknown-body' // 2xx, but neither header nor body names a known version
  | 'other'; // anything else (the detail field says what)

export const ERROR_KINDS: readonly ErrorKind[] = [
  'refused',
  'reset',
  'timeout',
  'http-5xx',
  'http-status',
  'unknown-body',
  'other',
];

/** One request. Times are milliseconds since the sampler started (monotonic clock). */
export interface RequestRecord {
  seq: number;
  scheduledAt: number;
  startedAt: number;
  endedAt: number;
  status?: number;
  version?: string;
  pod?: string;
  error?: ErrorKind;
  detail?: string;
  /** From the start to the TCP handshake's end, where it ended (a lost SYN costs 1 s, then 3 s, …). */
  connectMs?: number;
}
