import { minimist } from 'zx';
import { HelpShown, UserError } from './log.js';

/**
 * The flags of an entry point (`pnpm e2e --k8s 1.36 --matrix`): only the ones it names, each of its
 * type; anything else is refused in one line, before any work starts.
 */
export function parseFlags<const T extends Record<string, 'string' | 'boolean'>>(
  command: string,
  spec: T,
  usage: string,
  args: string[] = process.argv.slice(2),
): { [K in keyof T]?: T[K] extends 'string' ? string : boolean } {
  return parseCommandLine(command, spec, usage, args, false).flags;
}

/**
 * parseFlags, and the arguments that are not flags (refused unless `positionals`). `-h`/`--help` anywhere
 * prints `usage` to stdout and ends the entry point with exit 0 (main() catches HelpShown), before any work.
 */
export function parseCommandLine<const T extends Record<string, 'string' | 'boolean'>>(
  command: string,
  spec: T,
  usage: string,
  args: string[] = process.argv.slice(2),
  positionals = true,
): { flags: { [K in keyof T]?: T[K] extends 'string' ? string : boolean }; positionals: string[] } {
  if (args.some((a) => a === '--help' || a === '-h')) throw new HelpShown(usage);
  const names = Object.keys(spec);
  const dash = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);
  const parsed = minimist(args, {
    string: names.filter((n) => spec[n] === 'string'),
    boolean: names.filter((n) => spec[n] === 'boolean'),
    unknown: (arg) => {
      if (positionals && !arg.startsWith('-')) return true;
      throw new UserError(
        `${command}: unknown ${arg.startsWith('-') ? 'flag' : 'argument'} ${JSON.stringify(arg)}; known: ${[...names.map(dash), '--help'].join(', ')}`,
      );
    },
  });
  const out: Record<string, string | boolean | undefined> = {};
  for (const name of names) {
    const value = parsed[name];
    if (spec[name] === 'string') {
      if (Array.isArray(value)) throw new UserError(`${command}: ${dash(name)} given more than once`);
      if (value === '' && args.some((a) => a === dash(name))) {
        throw new UserError(`${command}: ${dash(name)} needs a value`);
      }
      out[name] = value === undefined || value === '' ? undefined : String(value);
    } else
      out[name] = args.some((a) => a === `--${name}` || a.startsWith(`--${name}=`))
        ? Boolean(value)
        : undefined;
  }
  return {
    flags: out as { [K in keyof T]?: T[K] extends 'string' ? string : boolean },
    positionals: (parsed._ as unknown[]).map(String),
  };
}
