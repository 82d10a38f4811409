import { setPriority } from 'node:os';

// The sampler shares its process with the test: when the machine is busy with the cluster's own work
// (pods starting, the API server, the kubelet), a starved client schedules late, then fires a burst,
// and charges the servers with its own delay. As root, the test workers get a higher CPU priority than
// the cluster, like a load generator on a machine of its own; elsewhere nothing changes.
try {
  setPriority(-10);
} catch {
  // not allowed (not root): keep the default priority
}
