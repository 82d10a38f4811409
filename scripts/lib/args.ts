import { minimist } from 'zx';
import { UserError } from './log.js';

/**
 * The flags of an entry point (`pnpm e2e --k8s 1.36 --matrix`): only the ones it names, each of its
 * type; anything else is refused in one line, before any work starts.
 */
export function parseFlags<const T extends Record<string, 'string' | 'boolean'>>(
  command: string,
  spec: T,
  args: string[] = process.argv.slice(2),
): { [K in keyof T]?: T[K] extends 'string' ? string : boolean } {
  const names = Object.keys(spec);
  const parsed = minimist(args, {
    string: names.filter((n) => spec[n] === 'string'),
    boolean: names.filter((n) => spec[n] === 'boolean'),
    unknown: (arg) => {
      throw new UserError(
        `${command}: unknown ${arg.startsWith('-') ? 'flag' : 'argument'} ${JSON.stringify(arg)}; known: ${names.map((n) => `--${n}`).join(', ') || 'none'}`,
      );
    },
  });
  const out: Record<string, string | boolean | undefined> = {};
  for (const name of names) {
    const value = parsed[name];
    if (spec[name] === 'string') {
      if (Array.isArray(value)) throw new UserError(`${command}: --${name} given more than once`);
      if (value === '' && args.some((a) => a === `--${name}`)) {
        throw new UserError(`${command}: --${name} needs a value`);
      }
      out[name] = value === undefined || value === '' ? undefined : String(value);
    } else
      out[name] = args.some((a) => a === `--${name}` || a.startsWith(`--${name}=`))
        ? Boolean(value)
        : undefined;
  }
  return out as { [K in keyof T]?: T[K] extends 'string' ? string : boolean };
}
