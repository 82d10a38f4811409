// A kubeconfig is read before client-node sees it, with a bound: a path to something endless (/dev/zero)
// or a YAML alias bomb is refused in one line instead of hanging the process or exhausting its heap
// (client-node's js-yaml expands aliases by reference, and walking the result never ends).
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseDocument } from 'yaml';
import { InvalidInputError } from '../errors.js';
import { readAtMost } from '../resources/bounded-read.js';

export const MAX_KUBECONFIG_BYTES = 1024 * 1024;
const MAX_ALIASES = 100;

/** The kubeconfig files client-node would read: --kubeconfig, else $KUBECONFIG's list, else ~/.kube/config. */
export function kubeconfigFiles(explicit: string | undefined, env = process.env): string[] {
  if (explicit) return [explicit];
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter(Boolean);
  return [join(homedir(), '.kube', 'config')];
}

/** Refuses a kubeconfig that is too large or expands past the alias limit; missing files are client-node's to report. */
export function checkKubeconfigFile(path: string): void {
  let bytes: Buffer;
  try {
    bytes = readAtMost(path, MAX_KUBECONFIG_BYTES);
  } catch {
    // Missing or unreadable: client-node reports it, in its own words.
    return;
  }
  if (bytes.length > MAX_KUBECONFIG_BYTES) {
    throw new InvalidInputError(
      `kubeconfig ${path}: larger than ${MAX_KUBECONFIG_BYTES} bytes; not a kubeconfig`,
    );
  }
  const doc = parseDocument(bytes.toString('utf8'), { prettyErrors: false });
  // Syntax errors are client-node's to report, in its own words.
  if (doc.errors.length) return;
  try {
    doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    throw new InvalidInputError(`kubeconfig ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
}
