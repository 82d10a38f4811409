// rollout watch <url> [--rate R] [--duration S] [--keep-alive]: sample a URL and draw the version mix live.
import { RolloutError } from '../errors.js';
import { type Command, httpUrl, numberFlag, positionals, str } from './context.js';

export const watchCommand: Command = {
  names: ['watch'],
  cluster: false,
  flags: { rate: { type: 'string' }, duration: { type: 'string' }, 'keep-alive': { type: 'boolean' } },
  async run(ctx, flags) {
    const [url = ''] = positionals(ctx, 1, '<url>', { deployments: 0 });
    const rate = numberFlag('rate', str(flags, 'rate') ?? '20', { min: 1, max: 500 });
    const seconds = numberFlag('duration', str(flags, 'duration') ?? '60', { min: 1, max: 86_400 });
    // Here Ctrl-C ends the sampling early and still prints the result.
    ctx.ownInterrupt();
    await watch(httpUrl('url', url), rate, seconds, flags['keep-alive'] === true);
  },
};

/** Samples a URL and redraws the version mix: in place under a TTY, a line every 5 s otherwise. */
async function watch(url: string, rate: number, seconds: number, keepAlive: boolean): Promise<void> {
  const { formatErrors, headerClassifier, renderChart, sample, startSampler, summarize } = await import(
    '@rollout-lab/traffic'
  );
  // One request first: a URL nobody answers is an error, not a minute of refused connections.
  const [probe] = (
    await sample({ url, rate: 1, maxRequests: 1, timeoutMs: 3000, classify: headerClassifier })
  ).records;
  if (probe?.error && probe.error !== 'http-5xx' && probe.error !== 'unknown-body') {
    throw new RolloutError(`cannot reach ${url} (${probe.detail ?? probe.error})`);
  }
  const sampler = startSampler({ url, rate, durationMs: seconds * 1000, keepAlive });
  const tty = process.stdout.isTTY;
  let drawn = 0;
  const draw = () => {
    const records = sampler.records;
    if (tty) {
      const chart = renderChart(records, { title: `watch ${url}` });
      if (drawn) process.stdout.write(`\x1b[${drawn}A\x1b[J`);
      process.stdout.write(`${chart}\n`);
      drawn = chart.split('\n').length;
    } else {
      const s = summarize(records);
      console.log(
        `${(sampler.elapsed() / 1000).toFixed(0)} s: ${s.requests} requests, ${JSON.stringify(s.versions)}, failed ${s.failed}`,
      );
    }
  };
  const timer = setInterval(draw, tty ? 1000 : 5000);
  const stop = () => void sampler.stop();
  process.once('SIGINT', stop);
  const { records } = await sampler.done;
  clearInterval(timer);
  process.off('SIGINT', stop);
  if (tty && drawn) process.stdout.write(`\x1b[${drawn}A\x1b[J`);
  console.log(renderChart(records, { title: `watch ${url}` }));
  const s = summarize(records);
  console.log(
    `${s.requests} requests at ${s.achievedRate.toFixed(1)}/s, failed ${s.failed} (${formatErrors(s.errors)})`,
  );
}
