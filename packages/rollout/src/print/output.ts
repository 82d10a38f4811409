// -o json|yaml, as kubectl prints them.
import { dumpYaml } from '@kubernetes/client-node';

export const formatOutput = (format: 'json' | 'yaml', value: unknown): string =>
  format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : dumpYaml(value);
