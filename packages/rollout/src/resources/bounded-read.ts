// Files are read with a bound: a path to something endless (/dev/zero, a huge log) costs at most the
// bound, not memory until it runs out.
import { closeSync, openSync, readSync } from 'node:fs';

/** At most `maxBytes + 1` bytes of the file: a result longer than `maxBytes` means the file is longer. */
export function readAtMost(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const n = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (n === 0) break;
      filled += n;
    }
    return buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}
