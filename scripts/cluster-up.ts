// pnpm cluster:up [--k8s 1.36] — create or reuse the kind cluster of a Kubernetes minor (offline: build
// its node image first), and check that its node reports that minor.
import { parseFlags } from './lib/args.js';
import { clustersFor, kubernetesRelease } from './lib/config.js';
import { nodeVersions } from './lib/kind.js';
import { main, printTimings, UserError } from './lib/log.js';
import { createCluster, installKind, planImages, setUpHost } from './steps.js';

const USAGE = `usage: pnpm cluster:up [--k8s 1.36]

Create the kind cluster of a Kubernetes minor, or reuse it when it is healthy (a control plane and a
worker, NodePorts 30080-30119 on 127.0.0.1). Sets up the host first when run as root (Docker, inotify
limits); without a registry, builds the node image from Go modules. Prints the nodes and the kubeconfig.

  --k8s MINOR   1.37 (default), 1.36 or 1.35; also ROLLOUT_LAB_K8S
  -h, --help    this text`;

await main(async () => {
  const flags = parseFlags('pnpm cluster:up', { k8s: 'string' }, USAGE);
  const chosen = await planImages(kubernetesRelease(flags.k8s));
  await setUpHost(chosen);
  const spec = clustersFor(chosen.kubernetes).main;
  const kubeconfig = await createCluster(await installKind(chosen), chosen, spec);
  printTimings('cluster:up');
  const nodes = await nodeVersions(spec);
  const wrong = nodes.filter((n) => !n.kubelet.startsWith(`v${chosen.kubernetes.minor}.`));
  if (wrong.length) {
    throw new UserError(
      `node ${wrong[0]?.name} reports ${wrong[0]?.kubelet}, not Kubernetes ${chosen.kubernetes.minor}`,
    );
  }
  console.log(`\nnodes: ${nodes.map((n) => `${n.name} ${n.kubelet}`).join(', ')}`);
  console.log(`ready: KUBECONFIG=${kubeconfig} kubectl get nodes`);
});
