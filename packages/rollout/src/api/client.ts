import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  ApiException,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  Watch,
} from '@kubernetes/client-node';
import { ConflictError, NotFoundError, RolloutError, UnreachableError } from '../errors.js';
import { checkKubeconfigFile, kubeconfigFiles } from './kubeconfig-guard.js';

export interface Cluster {
  apps: AppsV1Api;
  core: CoreV1Api;
  /** Leases: one plan runner per pair (api/lease.ts). */
  coordination: CoordinationV1Api;
  watch: Watch;
  /** The server, for messages. */
  server: string;
  /** The current context's namespace ("default" when it names none), as kubectl takes it without -n. */
  namespace: string;
}

export interface ConnectOptions {
  /** A kubeconfig file; default: $KUBECONFIG, then ~/.kube/config, then in-cluster. */
  kubeconfig?: string;
  context?: string;
}

export function connect(options: ConnectOptions = {}): Cluster {
  const kc = new KubeConfig();
  const file = options.kubeconfig ?? process.env.KUBECONFIG;
  for (const path of kubeconfigFiles(options.kubeconfig)) checkKubeconfigFile(path);
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    // One line naming the file: the parser's message can be a multi-line snippet of the YAML.
    const e = error as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'not readable' : 'not a valid kubeconfig';
    throw new NotFoundError(
      `kubeconfig ${file ?? '~/.kube/config'}: ${why} (${(e.message ?? '').split('\n')[0]?.slice(0, 120)})`,
    );
  }
  const anywhere = options.kubeconfig || process.env.KUBECONFIG || process.env.KUBERNETES_SERVICE_HOST;
  if (!anywhere && !existsSync(join(homedir(), '.kube', 'config'))) {
    // client-node would fall back to http://localhost:8080 and fail with a confusing TLS message.
    throw new NotFoundError(
      'no kubeconfig found: set KUBECONFIG or pass --kubeconfig (pnpm e2e writes ~/.cache/rollout-lab/kubeconfig-rollout-lab)',
    );
  }
  if (options.context) {
    if (!kc.getContexts().some((c) => c.name === options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new NotFoundError(`context ${options.context} not found; known: ${known.join(', ') || 'none'}`);
    }
    kc.setCurrentContext(options.context);
  }
  return {
    apps: kc.makeApiClient(AppsV1Api),
    core: kc.makeApiClient(CoreV1Api),
    coordination: kc.makeApiClient(CoordinationV1Api),
    watch: new Watch(kc),
    server: kc.getCurrentCluster()?.server ?? '(no server)',
    namespace: kc.getContextObject(kc.getCurrentContext())?.namespace || 'default',
  };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'ECONNRESET',
  'EAI_AGAIN',
]);

/** Why a request never reached the API server: a socket error code, or fetch's own refusal of a port. */
function networkCode(error: unknown): string | undefined {
  type Link = { code?: string; message?: string; cause?: unknown };
  for (let e = error as Link | undefined; e; e = e.cause as Link | undefined) {
    if (e.code && NETWORK_CODES.has(e.code)) return e.code;
    // The Fetch standard's "bad ports" (9, 22, 6000, …) are refused before any connection is tried.
    if (e.message === 'bad port') return 'a port that fetch refuses to use';
  }
  return undefined;
}

/**
 * Runs one API call and turns its failure into a RolloutError with a one-line message: `what` names the
 * object ("deployment deploy-myapp in namespace demo").
 */
export async function call<T>(cluster: Cluster, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translate(cluster, what, error);
  }
}

export function translate(cluster: Cluster, what: string, error: unknown): Error {
  if (error instanceof RolloutError) return error;
  if (error instanceof ApiException) {
    const reason = statusReason(error);
    if (error.code === 404) return new NotFoundError(`${what} not found`);
    // 409: a resourceVersion precondition failed (see resourceVersionPrecondition).
    if (error.code === 409) {
      return new ConflictError(`${what}: changed by someone else meanwhile (${reason})`);
    }
    if (error.code === 401 || error.code === 403) return new RolloutError(`${what}: forbidden: ${reason}`);
    return new RolloutError(`${what}: ${reason}`);
  }
  const code = networkCode(error);
  if (code) return new UnreachableError(`API server ${cluster.server} unreachable (${code})`);
  return error instanceof Error ? error : new Error(String(error));
}

interface Status {
  message?: string;
  details?: { causes?: { message?: string; field?: string }[] };
}

/** The API server's Status message, with its causes when the message alone is a generic one. */
export function statusReason(error: ApiException<unknown>): string {
  const body = (typeof error.body === 'string' ? safeJson(error.body) : error.body) as Status | undefined;
  const message = body?.message ?? `HTTP ${error.code}`;
  const causes = (body?.details?.causes ?? [])
    .map((c) => [c.field, c.message].filter(Boolean).join(': '))
    .filter((c) => c && !message.includes(c));
  return causes.length ? `${message} (${causes.join('; ')})` : message;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}
