// Sampler accuracy on 127.0.0.1: asked vs achieved rate and how late requests start (timing error).
// Usage: pnpm --filter @rollout-lab/traffic bench [seconds] [rate ...]
import { spawn } from 'node:child_process';
import { formatErrors, sample, summarize } from '../src/index.js';

const [secondsArg, ...rateArgs] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 5);
const rates = rateArgs.length ? rateArgs.map(Number) : [200, 500];

// The target runs in its own process so that it does not share the sampler's event loop.
const server = spawn(
  process.execPath,
  [
    '-e',
    `const s = require('node:http').createServer((q, r) => { r.setHeader('x-app-version', 'v1'); r.end('This is Version1 service'); });
     s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const port = await new Promise<number>((resolve) =>
  server.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
);

const f = (n: number) => n.toFixed(2);
console.log(
  `sampler benchmark: ${seconds} s per rate, fresh connection per request, target 127.0.0.1:${port}`,
);
console.log('asked/s  achieved/s  requests  lag p50/p99/max ms      latency p50/p99 ms  errors');
for (const rate of rates) {
  const { records } = await sample({ url: `http://127.0.0.1:${port}/`, rate, durationMs: seconds * 1000 });
  const s = summarize(records);
  console.log(
    `${String(rate).padStart(7)}  ${f(s.achievedRate).padStart(10)}  ${String(s.requests).padStart(8)}  ` +
      `${`${f(s.lagMs.p50)}/${f(s.lagMs.p99)}/${f(s.lagMs.max)}`.padEnd(22)}  ` +
      `${`${f(s.latencyMs.p50)}/${f(s.latencyMs.p99)}`.padEnd(18)}  ${formatErrors(s.errors)}`,
  );
}
server.kill();
