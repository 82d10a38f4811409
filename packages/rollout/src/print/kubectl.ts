// The kubectl commands that do what a verb did: printed with --kubectl, so every step can be done by hand.
import { CHANGE_CAUSE, type Target } from '../resources/objects.js';

const ns = (t: Target) => `-n ${t.namespace}`;

/** A shell word: quoted only when it has to be. */
export const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function kubectlSetImage(target: Target, images: Record<string, string>, cause: string): string[] {
  const pairs = Object.entries(images);
  const args = pairs.map(([c, i]) => `${c}=${i}`).join(' ');
  const patch = {
    metadata: { annotations: { [CHANGE_CAUSE]: cause } },
    spec: { template: { spec: { containers: pairs.map(([name, image]) => ({ name, image })) } } },
  };
  return [
    `kubectl patch deployment ${target.name} ${ns(target)} --type strategic -p ${shellQuote(JSON.stringify(patch))}`,
    `# the seed's way, in two writes: kubectl set image deployment ${target.name} ${args} ${ns(target)} && kubectl annotate deployment ${target.name} ${CHANGE_CAUSE}=${shellQuote(cause)} --overwrite ${ns(target)}`,
  ];
}

export const kubectlUndo = (target: Target, toRevision?: number) => [
  `kubectl rollout undo deployment/${target.name}${toRevision ? ` --to-revision=${toRevision}` : ''} ${ns(target)}`,
];

export const kubectlPause = (target: Target, paused: boolean) => [
  `kubectl rollout ${paused ? 'pause' : 'resume'} deployment/${target.name} ${ns(target)}`,
];

export const kubectlRestart = (target: Target) => [
  `kubectl rollout restart deployment/${target.name} ${ns(target)}`,
];

export const kubectlScale = (target: Target, replicas: number) =>
  `kubectl scale deployment/${target.name} --replicas=${replicas} ${ns(target)}`;

export const kubectlStatus = (target: Target) =>
  `kubectl rollout status deployment/${target.name} ${ns(target)}`;

export const kubectlHistory = (target: Target) =>
  `kubectl rollout history deployment/${target.name} ${ns(target)}`;

export const kubectlPromote = (stable: Target, canary: string) =>
  `kubectl patch deployment/${stable.name} ${ns(stable)} --type json -p '[{"op":"replace","path":"/spec/template","value":<template of ${canary}>}]'`;

export const kubectlSelect = (namespace: string, service: string, key: string, value: string) =>
  `kubectl patch service ${service} -n ${namespace} -p '{"spec":{"selector":{"${key}":"${value}"}}}'`;

/** kubectl's dry-run suffix on a result line. */
export const dryRunSuffix = (dryRun: 'client' | 'server' | undefined) =>
  dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '';
