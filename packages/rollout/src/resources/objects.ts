import type { V1LabelSelector, V1PodTemplateSpec } from '@kubernetes/client-node';

/** Which Deployment: every operation takes one. */
export interface Target {
  namespace: string;
  name: string;
}

export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
export const REVISION = 'deployment.kubernetes.io/revision';
export const TEMPLATE_HASH = 'pod-template-hash';

export const describe = (t: Target) => `deployment ${t.name} in namespace ${t.namespace}`;

export function selectorString(selector: V1LabelSelector | undefined): string {
  return Object.entries(selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } }): number | undefined {
  const raw = obj.metadata?.annotations?.[REVISION];
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isInteger(n) ? n : undefined;
}

/** Deep equality of JSON values, key order ignored. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A template without the pod-template-hash label, as kubectl compares and restores them. */
export function withoutHash(template: V1PodTemplateSpec): V1PodTemplateSpec {
  const copy = structuredClone(template);
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[TEMPLATE_HASH];
  }
  return copy;
}

export function images(template: V1PodTemplateSpec | undefined): Record<string, string> {
  return Object.fromEntries((template?.spec?.containers ?? []).map((c) => [c.name, c.image ?? '']));
}
