import { $ } from 'zx';

// What `pnpm e2e` tells the test files about the cluster under test, read in one place.

// bash runs ~/.bashrc when it takes itself for a shell that rshd started: a top-level one (SHLVL unset
// or 0, as under pnpm without a terminal) whose stdin is a socket, which Node's stdio pipes are. A
// ~/.bashrc running `pyenv init` made each command cost 0.6 s; marked as nested, no shell of ours reads it.
if (!(Number(process.env.SHLVL) >= 1)) process.env.SHLVL = '1';

/** Every namespace a run creates carries this label, valued with the run's id: the sweep's handle. */
export const E2E_LABEL = 'rollout-lab.dev/e2e';

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's id (global setup), the value of E2E_LABEL on its namespaces. */
    runId: string;
    /** The unix socket that serves the suite-wide slots (support/slots.ts). */
    slotSocket: string;
  }
}

/** The NodePorts the cluster publishes on the host (ROLLOUT_LAB_NODE_PORTS=first-last). */
export function nodePortRange(): { first: number; last: number } {
  const text = process.env.ROLLOUT_LAB_NODE_PORTS ?? '30080-30119';
  const match = /^(\d{5})-(\d{5})$/.exec(text);
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  if (!match || first > last || first < 30000 || last > 32767) {
    throw new Error(
      `ROLLOUT_LAB_NODE_PORTS must be a range like 30080-30119 within 30000-32767, got "${text}"`,
    );
  }
  return { first, last };
}

/** The kind cluster's name (ROLLOUT_LAB_KIND_CLUSTER), where the suite runs on one of ours. */
export const kindCluster = process.env.ROLLOUT_LAB_KIND_CLUSTER;

/** Where this run's reports go, relative to e2e/ (ROLLOUT_LAB_REPORTS; one folder per matrix minor). */
export const reportsDir = () => process.env.ROLLOUT_LAB_REPORTS ?? '.reports';

/** The Kubernetes minor under test, as `pnpm e2e` chose it (for the reports). */
export const kubernetesMinor = process.env.ROLLOUT_LAB_K8S_MINOR;

/** kubectl against the cluster under test (ROLLOUT_LAB_KUBECTL, ROLLOUT_LAB_CONTEXT); throws on failure. */
export const kubectl = (args: string[], input?: string) => {
  const context = process.env.ROLLOUT_LAB_CONTEXT;
  return $({ quiet: true, input })`${process.env.ROLLOUT_LAB_KUBECTL ?? 'kubectl'} ${
    context ? [`--context=${context}`] : []
  } ${args}`;
};
