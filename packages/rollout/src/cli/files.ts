// Files the CLI reads are read with a bound: a path to something endless (/dev/zero, a huge log) is
// refused in one line, not read until memory runs out.
import { open } from 'node:fs/promises';
import { InvalidInputError } from '../errors.js';

/** The file's text, at most `maxBytes` long; an InvalidInputError when it cannot be read or is longer. */
export async function readBoundedText(path: string, maxBytes: number, what: string): Promise<string> {
  const file = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new InvalidInputError(`cannot read ${path}: ${error.code ?? error.message}`);
  });
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await file
        .read(buffer, filled, buffer.length - filled, null)
        .catch((error: NodeJS.ErrnoException) => {
          throw new InvalidInputError(`cannot read ${path}: ${error.code ?? error.message}`);
        });
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > maxBytes) {
      throw new InvalidInputError(`${path}: ${what} is at most ${maxBytes} bytes; this file is longer`);
    }
    return buffer.subarray(0, filled).toString('utf8');
  } finally {
    await file.close();
  }
}
