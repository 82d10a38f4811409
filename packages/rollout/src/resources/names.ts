// Names as Kubernetes has them, checked before any request: a "/" in a name would reach another API path.
import { InvalidInputError } from '../errors.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A Deployment as kubectl takes it: NAME, deploy/NAME, deployment/NAME or deployment.apps/NAME. */
export function deploymentName(raw: string): string {
  const slash = raw.indexOf('/');
  const kind = slash < 0 ? undefined : raw.slice(0, slash);
  const name = slash < 0 ? raw : raw.slice(slash + 1);
  if (kind !== undefined && !['deploy', 'deployment', 'deployments', 'deployment.apps'].includes(kind)) {
    throw new InvalidInputError(`${JSON.stringify(raw)} is not a Deployment (write NAME or deployment/NAME)`);
  }
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    throw new InvalidInputError(
      `${JSON.stringify(name)} is not a valid Deployment name (lower-case letters, digits, '-' and '.')`,
    );
  }
  return name;
}

export function namespaceName(raw: string): string {
  if (raw.length > 63 || !DNS_LABEL.test(raw)) {
    throw new InvalidInputError(
      `${JSON.stringify(raw)} is not a valid namespace name (lower-case letters, digits, '-')`,
    );
  }
  return raw;
}
