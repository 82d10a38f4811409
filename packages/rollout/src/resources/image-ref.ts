import { InvalidInputError } from '../errors.js';

// The distribution reference grammar, reduced: [host[:port]/]path[:tag][@digest].
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)';
const REFERENCE = new RegExp(
  `^${HOST}?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);

/** Throws InvalidInputError unless `image` is a well-formed image reference. */
export function checkImageReference(image: string): void {
  if (image.length > 255 || !REFERENCE.test(image)) {
    throw new InvalidInputError(
      `malformed image reference ${JSON.stringify(image)}: expected [registry/]name[:tag][@sha256:digest], lower-case name`,
    );
  }
}

/** Parses "name=image" pairs (kubectl set image's arguments). */
export function parseImageArgs(args: string[]): Record<string, string> {
  if (args.length === 0) throw new InvalidInputError('give at least one CONTAINER=IMAGE');
  const result: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0 || eq === arg.length - 1) {
      throw new InvalidInputError(`expected CONTAINER=IMAGE, got ${JSON.stringify(arg)}`);
    }
    const image = arg.slice(eq + 1);
    checkImageReference(image);
    result[arg.slice(0, eq)] = image;
  }
  return result;
}
