export type Fields = Record<string, string | number | boolean | undefined>;
export type Logger = (event: string, fields?: Fields) => void;

function quote(value: string | number | boolean): string {
  const text = String(value);
  return /^[\w.:/@+-]*$/.test(text) && text !== '' ? text : JSON.stringify(text);
}

/** One logfmt line per event: easy to read in `kubectl logs`, easy to grep in tests. */
export function createLogger(
  base: Fields,
  write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Logger {
  return (event, fields = {}) => {
    const all: Fields = { time: new Date().toISOString(), event, ...base, ...fields };
    const parts = Object.entries(all)
      .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
      .map(([key, value]) => `${key}=${quote(value)}`);
    write(parts.join(' '));
  };
}
