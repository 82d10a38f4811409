import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Suite-wide slots for the work that loads the cluster: a sampled file's test, a namespace's set-up or
// teardown. On 2 cores two such at once hold (0 failed requests in every run), three do not (docs/e2e.md,
// files side by side); a count of files cannot say that, since a file has one scenario running at one
// moment and three at the next. So the files run side by side, and their work takes slots from one
// queue, first come first served, served by the global setup over a unix socket. A slot is held for as
// long as its connection is open: a worker that dies gives its slots back.

/** How many slots (ROLLOUT_LAB_E2E_SCENARIOS, default 2): sampled tests, set-ups, teardowns at once. */
export const slotCount = Number(process.env.ROLLOUT_LAB_E2E_SCENARIOS || 2);
// `pnpm e2e` refuses a bad value before any work; this catches a suite started some other way.
if (!Number.isInteger(slotCount) || slotCount < 1)
  throw new Error(
    `ROLLOUT_LAB_E2E_SCENARIOS must be a whole number from 1, got ${process.env.ROLLOUT_LAB_E2E_SCENARIOS}`,
  );

/** One holder of a slot, for the reports (.reports/slots.json): times in epoch ms, as files.json has them. */
export interface SlotRecord {
  /** What held it: "tests/x.test.ts > test name", "tests/x.test.ts > set-up <namespace>" or "… > teardown <namespace>". */
  label: string;
  askedMs: number;
  /** Absent when it gave up waiting. */
  grantedMs?: number;
  releasedMs: number;
}

export interface SlotServer {
  socket: string;
  /** Closes the server and returns who held (or waited for) a slot, in the order they let go. */
  close(): Promise<SlotRecord[]>;
}

export function serveSlots(count: number): Promise<SlotServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rl-slots-'));
  const socket = join(dir, 'slots.sock');
  const waiting: Socket[] = [];
  const holding = new Set<Socket>();
  const records: SlotRecord[] = [];
  const open = new Map<Socket, Omit<SlotRecord, 'releasedMs'>>();
  const grant = () => {
    while (holding.size < count && waiting.length > 0) {
      const next = waiting.shift() as Socket;
      holding.add(next);
      const record = open.get(next);
      if (record) record.grantedMs = Date.now();
      next.write('ok\n');
    }
  };
  const server = createServer((client) => {
    client.setEncoding('utf8');
    client.once('data', (line: string) => {
      open.set(client, { label: line.replace(/^take ?/, '').trim() || '(unnamed)', askedMs: Date.now() });
      waiting.push(client);
      grant();
    });
    client.on('error', () => {});
    client.on('close', () => {
      const record = open.get(client);
      if (record) {
        open.delete(client);
        records.push({ ...record, releasedMs: Date.now() });
      }
      const queued = waiting.indexOf(client);
      if (queued >= 0) waiting.splice(queued, 1);
      if (holding.delete(client)) grant();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () =>
      resolve({
        socket,
        close: () =>
          new Promise<SlotRecord[]>((done) => {
            for (const client of [...waiting, ...holding]) client.destroy();
            server.close(() => {
              rmSync(dir, { recursive: true, force: true });
              done(records);
            });
          }),
      }),
    );
  });
}

/**
 * Waits for a slot at `socket` and returns the function that gives it back (idempotent). `label` names
 * the holder in the reports (one line: newlines become spaces).
 */
export function takeSlot(socket: string, label: string, signal?: AbortSignal): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const connection = createConnection(socket);
    const release = () => {
      connection.destroy();
    };
    const fail = (error: Error) => {
      release();
      reject(error);
    };
    const abort = () => fail(new Error('gave up waiting for a slot: the test was stopped'));
    signal?.addEventListener('abort', abort, { once: true });
    connection.setEncoding('utf8');
    connection.once('connect', () => connection.write(`take ${label.replace(/\s+/g, ' ')}\n`));
    connection.once('data', () => {
      signal?.removeEventListener('abort', abort);
      resolve(release);
    });
    connection.once('error', (error) => fail(new Error(`slot server at ${socket}: ${error.message}`)));
    connection.once('close', () =>
      fail(new Error(`slot server at ${socket} closed before a slot was given`)),
    );
  });
}

let suiteSocket: string | undefined;

/** Makes `withSlot` take a suite-wide slot in this worker (support/sampled-setup.ts, the sampled files). */
export function useSuiteSlots(socket: string): void {
  suiteSocket = socket;
}

/** Whether this worker's file takes suite-wide slots (the files that sample traffic). */
export const slotsInUse = (): boolean => suiteSocket !== undefined;

/** The slot the running withSlot work holds, so that it can give it back before it ends (settleSlot). */
const heldSlot = new AsyncLocalStorage<() => void>();

/** Runs `work` in a suite-wide slot where the file's project has them, else at once (the quiet files). */
export async function withSlot<T>(label: string, work: () => Promise<T>): Promise<T> {
  if (suiteSocket === undefined) return work();
  const release = await takeSlot(suiteSocket, label);
  try {
    return await heldSlot.run(release, work);
  } finally {
    release();
  }
}

/**
 * Gives back the slot the calling withSlot work holds, before that work ends: for a set-up whose pods
 * are up and Ready, where only waiting is left (minReadySeconds, kube-proxy programming the port), which
 * loads nothing. A no-op outside withSlot (a test's own slot is held until it ends).
 */
export function settleSlot(): void {
  heldSlot.getStore()?.();
}
