import type { TestProject } from 'vitest/node';
import { $ } from 'zx';
import { E2E_LABEL } from './env.js';

const kubectl = (args: string[]) =>
  $({ quiet: true, nothrow: true })`${process.env.ROLLOUT_LAB_KUBECTL ?? 'kubectl'} ${
    process.env.ROLLOUT_LAB_CONTEXT ? [`--context=${process.env.ROLLOUT_LAB_CONTEXT}`] : []
  } ${args}`;

/**
 * Namespaces are deleted without waiting (a pod's 20 s grace period would otherwise be paid per file):
 * leftovers of earlier runs are swept before this one starts, and this run's own once at the end.
 */
export default async function setup(project: TestProject) {
  const runId = Date.now().toString(36);
  project.provide('runId', runId);
  await kubectl(['delete', 'namespace', '-l', E2E_LABEL, '--wait=false']);
  return async () => {
    await kubectl(['delete', 'namespace', '-l', `${E2E_LABEL}=${runId}`, '--wait=false']);
  };
}
