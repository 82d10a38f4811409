/** Every failure the library reports; `message` is one line a user can act on. */
export class RolloutError extends Error {
  override name = 'RolloutError';
}

/** The input was wrong; nothing was changed. */
export class InvalidInputError extends RolloutError {
  override name = 'InvalidInputError';
}

export class NotFoundError extends RolloutError {
  override name = 'NotFoundError';
}

export class RevisionNotFoundError extends NotFoundError {
  override name = 'RevisionNotFoundError';
  constructor(
    readonly revision: number,
    readonly known: number[],
  ) {
    super(`revision ${revision} not found; known: ${known.join(', ') || 'none'}`);
  }
}

/** The Deployment is paused; kubectl refuses the same operations. */
export class PausedError extends RolloutError {
  override name = 'PausedError';
}

/** Someone else changed the object between our read and our write, more often than we retry. */
export class ConflictError extends RolloutError {
  override name = 'ConflictError';
}

/** The rollout stopped progressing: the Deployment's Progressing condition says ProgressDeadlineExceeded. */
export class ProgressDeadlineError extends RolloutError {
  override name = 'ProgressDeadlineError';
}

export class TimeoutError extends RolloutError {
  override name = 'TimeoutError';
}

/** The API server could not be reached at all. */
export class UnreachableError extends RolloutError {
  override name = 'UnreachableError';
}
