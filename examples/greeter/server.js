// greeter: a small service that is not myapp, written without any rollout-lab package, to show what
// adopting rollout-lab asks of a service. Port 9090, a slow start (STARTUP_MS, 4 s), health on
// /health/ready and /health/live, and a graceful stop on SIGTERM.

const http = require('node:http');

const version = process.env.APP_VERSION ?? 'dev';
const port = Number(process.env.PORT ?? 9090);
const startupMs = Number(process.env.STARTUP_MS ?? 4000);
const pod = process.env.POD_NAME ?? 'local';
let ready = false;
let stopping = false;

const server = http.createServer((req, res) => {
  const send = (status, body) => {
    // The version header is what the sampler (headerClassifier) counts; the pod name, who answered.
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-app-version': version,
      'x-pod-name': pod,
    });
    res.end(JSON.stringify(body));
  };
  if (req.url === '/health/live') return send(200, { live: true });
  if (req.url === '/health/ready') return send(ready && !stopping ? 200 : 503, { ready: ready && !stopping });
  if (req.method === 'GET' && req.url === '/')
    return send(200, { greeting: `hello from greeter ${version}` });
  send(404, { error: 'not found' });
});
// Shorter than any load balancer's idle timeout would be wrong; longer than a client's reuse is enough.
server.keepAliveTimeout = 5000;
server.listen(port, () => {
  // A warm-up (caches, connections) that readiness must wait for: traffic only after it.
  setTimeout(() => {
    ready = true;
    console.log(`greeter ${version} ready on ${port} after ${startupMs} ms`);
  }, startupMs);
});

process.on('SIGTERM', () => {
  // preStop has already given the Service time to forget this pod; stop taking connections, finish
  // the requests in flight, close idle keep-alive connections, and leave.
  stopping = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
});
