import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorKind } from './types.js';

export interface Classified {
  version?: string;
  pod?: string;
  error?: ErrorKind;
  detail?: string;
}

/** Decides what one complete HTTP answer means. */
export type ResponseClassifier = (status: number, headers: IncomingHttpHeaders, body: string) => Classified;

const SEED_BODY = /^This is Version(\d+) service$/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function statusError(status: number, pod: string | undefined): Classified | undefined {
  if (status >= 500) return { error: 'http-5xx', pod, detail: `HTTP ${status}` };
  if (status < 200 || status >= 300) return { error: 'http-status', pod, detail: `HTTP ${status}` };
  return undefined;
}

/**
 * The seed's services on `/`: the body must be the seed's text ("This is Version2 service" → v2), and
 * `X-App-Version`, when present, must agree with it: a disagreement means the answer is not ours.
 */
export const seedClassifier: ResponseClassifier = (status, headers, body) => {
  const pod = header(headers, 'x-pod-name');
  const failed = statusError(status, pod);
  if (failed) return failed;
  const match = SEED_BODY.exec(body.trim());
  if (!match) return { error: 'unknown-body', pod, detail: JSON.stringify(body.slice(0, 60)) };
  const version = `v${match[1]}`;
  const claimed = header(headers, 'x-app-version');
  if (claimed !== undefined && claimed !== version) {
    return { error: 'unknown-body', pod, detail: `header says ${claimed}, body says ${version}` };
  }
  return { version, pod };
};

/** Any path of a service-kit app: the version comes from `X-App-Version` alone. */
export const headerClassifier: ResponseClassifier = (status, headers) => {
  const pod = header(headers, 'x-pod-name');
  const failed = statusError(status, pod);
  if (failed) return failed;
  const version = header(headers, 'x-app-version');
  return version ? { version, pod } : { error: 'unknown-body', pod, detail: 'no X-App-Version header' };
};

/**
 * Any HTTP service (`rollout verify` on a Deployment that is not ours): a 2xx counts; its version is
 * `X-App-Version` if sent, else the seed's body text, else "unlabelled". Only statuses and the network
 * fail it.
 */
export const anyServiceClassifier: ResponseClassifier = (status, headers, body) => {
  const pod = header(headers, 'x-pod-name');
  const failed = statusError(status, pod);
  if (failed) return failed;
  const match = SEED_BODY.exec(body.trim());
  return { version: header(headers, 'x-app-version') ?? (match ? `v${match[1]}` : 'unlabelled'), pod };
};

/** Maps a Node socket/HTTP error to an error kind. */
export function classifyNetworkError(error: NodeJS.ErrnoException): ErrorKind {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'other';
  }
}
