// Files the CLI reads are read with a bound (resources/bounded-read.ts) and refused in one line.
import { InvalidInputError } from '../errors.js';
import { readAtMost } from '../resources/bounded-read.js';

/** The file's text, at most `maxBytes` long; an InvalidInputError when it cannot be read or is longer. */
export function readBoundedText(path: string, maxBytes: number, what: string): string {
  let bytes: Buffer;
  try {
    bytes = readAtMost(path, maxBytes);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new InvalidInputError(`cannot read ${path}: ${e.code ?? e.message}`);
  }
  if (bytes.length > maxBytes) {
    throw new InvalidInputError(`${path}: ${what} is at most ${maxBytes} bytes; this file is longer`);
  }
  return bytes.toString('utf8');
}
