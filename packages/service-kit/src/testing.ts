import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A built service started as a real child process, for tests. */
export interface SpawnedService {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  /** Every stdout/stderr line so far. */
  readonly lines: string[];
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export async function spawnService(
  entry: string,
  env: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<SpawnedService> {
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, PORT: '0', ALLOW_PORT_0: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const waiter of waiters) waiter(line);
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const waitForLine = (pattern: RegExp, waitMs = timeoutMs) =>
    new Promise<string>((resolve, reject) => {
      const seen = lines.find((line) => pattern.test(line));
      if (seen) return resolve(seen);
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no line matching ${pattern} within ${waitMs} ms; output:\n${lines.join('\n')}`));
      }, waitMs);
      const check = (line: string) => {
        if (!pattern.test(line)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(line);
      };
      waiters.add(check);
      void exited.then(() => {
        if (!waiters.has(check)) return;
        clearTimeout(timer);
        waiters.delete(check);
        reject(new Error(`process exited before a line matching ${pattern}; output:\n${lines.join('\n')}`));
      });
    });

  const listening = await waitForLine(/event=listening/);
  const port = Number(/port=(\d+)/.exec(listening)?.[1]);
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    lines,
    waitForLine,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
