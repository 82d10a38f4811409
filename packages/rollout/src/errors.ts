/** Every failure the library reports; `message` is one line a user can act on. */
export class RolloutError extends Error {
  // Each subclass is named after itself (the package is compiled, not minified, so names survive).
  override name = this.constructor.name;
}

/** The input was wrong; nothing was changed. */
export class InvalidInputError extends RolloutError {}

export class NotFoundError extends RolloutError {}

export class RevisionNotFoundError extends NotFoundError {
  constructor(
    readonly revision: number,
    readonly known: number[],
  ) {
    super(`revision ${revision} not found; known: ${known.join(', ') || 'none'}`);
  }
}

/** The Deployment is paused; kubectl refuses the same operations. */
export class PausedError extends RolloutError {}

/** Someone else changed the object between our read and our write, more often than we retry. */
export class ConflictError extends RolloutError {}

/** The rollout stopped progressing: the Deployment's Progressing condition says ProgressDeadlineExceeded. */
export class ProgressDeadlineError extends RolloutError {}

export class TimeoutError extends RolloutError {}

/** The API server could not be reached at all. */
export class UnreachableError extends RolloutError {}

/**
 * An object a multi-object operation decided from changed before the operation's next write to it: the
 * write is not made (it would overwrite that change), and the message says what stands.
 */
export class ChangedMeanwhileError extends ConflictError {}
