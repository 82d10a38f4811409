export {
  activeColor,
  type BlueGreen,
  COLORS,
  type Color,
  type SwitchOptions,
  switchColor,
} from './bluegreen.js';
export {
  abortCanary,
  type CanaryGuardOptions,
  type CanaryPair,
  type CanaryVerdict,
  guardCanary,
  promoteCanary,
  type Split,
  setCanaryWeight,
  splitReplicas,
} from './canary.js';
export { type Cluster, type ConnectOptions, connect } from './client.js';
export {
  formatHistory,
  type GuardedRollout,
  history,
  type Outcome,
  patchDeployment,
  type RevisionInfo,
  resourceVersionPrecondition,
  restart,
  type SetImageOptions,
  scale,
  setImage,
  setImageWithAutoUndo,
  setPaused,
  undo,
  type WaitOptions,
  waitForRollout,
  withConflictRetry,
} from './deployment.js';
export {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  PausedError,
  ProgressDeadlineError,
  RevisionNotFoundError,
  RolloutError,
  TimeoutError,
  UnreachableError,
} from './errors.js';
export { checkImageReference, parseImageArgs } from './image-ref.js';
export {
  formatSnapshot,
  type PodRow,
  type ReplicaSetRow,
  type Snapshot,
  snapshot,
  snapshotOf,
} from './live.js';
export { CHANGE_CAUSE, getDeployment, type Target } from './objects.js';
export { rolloutVerdict } from './status.js';
export { type VerifyChange, type VerifyOptions, type VerifyResult, verifyRollout } from './verify.js';
