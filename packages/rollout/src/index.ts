// The library: verbs with kubectl's semantics (each a pure decision and a thin write), the strategies
// built on them, and the printers. Arrows point down only: strategies → verbs → api/resources.
export { type Cluster, type ConnectOptions, connect } from './api/client.js';
export {
  type Claim,
  type ClaimOptions,
  claim,
  describeHolder,
  HeldError,
  LostClaimError,
  leaseFree,
} from './api/lease.js';
export { getDeployment } from './api/read.js';
export {
  type Backoff,
  DEFAULT_BACKOFF,
  type DeploymentPatch,
  type DryRun,
  patchIfUnchanged,
  preconditioned,
  type Seen,
  seen,
  type WriteOptions,
  withConflictRetry,
  writeIfUnchanged,
} from './api/write.js';
export {
  ChangedMeanwhileError,
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
export { formatHistory } from './print/history.js';
export { checkImageReference, parseImageArgs } from './resources/image-ref.js';
export { deploymentName, namespaceName } from './resources/names.js';
export { CHANGE_CAUSE, type Target } from './resources/objects.js';
export { type GuardedRollout, setImageWithAutoUndo } from './strategies/auto-undo.js';
export {
  activeColor,
  type BlueGreen,
  COLORS,
  type Color,
  type SwitchOptions,
  switchColor,
} from './strategies/bluegreen.js';
export {
  type Analysis,
  type AnalysisResult,
  abortStaged,
  analyse,
  GATE,
  type GateRecord,
  gateOf,
  gateRefusal,
  judge,
  type PromoteOptions,
  promoteStaged,
  type StageOptions,
  stageColor,
  templateDigest,
} from './strategies/bluegreen-preview.js';
export {
  abortCanary,
  type CanaryOptions,
  type CanaryPair,
  checkSplits,
  promoteCanary,
  type Split,
  setCanaryWeight,
  splitReplicas,
} from './strategies/canary.js';
export { type CanaryGuardOptions, type CanaryVerdict, guardCanary } from './strategies/canary-guard.js';
export {
  abortPlan,
  describeStep,
  type PlanOptions,
  type PlanPhase,
  type PlanResult,
  type PlanState,
  PlanStoppedError,
  planLeaseName,
  planStatus,
  promotePlan,
  resumePlan,
  runPlan,
  stateOf,
} from './strategies/plan.js';
export { type AnalysisVerdict, judgeAnalysis } from './strategies/plan-analysis.js';
export {
  type CanaryPlan,
  canaryPlanSchema,
  MAX_PLAN_BYTES,
  type PlanAnalysis,
  type PlanStep,
  parsePlan,
  validatePlan,
} from './strategies/plan-schema.js';
export {
  type VerifyChange,
  type VerifyOptions,
  type VerifyResult,
  verifyRollout,
} from './strategies/verify.js';
export type { Decision, Outcome } from './verbs/decision.js';
export { history, type RevisionInfo } from './verbs/history.js';
export { setPaused } from './verbs/pause.js';
export { restart } from './verbs/restart.js';
export { scale } from './verbs/scale.js';
export { type SetImageOptions, setImage } from './verbs/set-image.js';
export {
  formatSnapshot,
  type PodRow,
  type ReplicaSetRow,
  type Snapshot,
  snapshot,
  snapshotOf,
} from './verbs/snapshot.js';
export { rolloutVerdict, type WaitOptions, waitForRollout } from './verbs/status.js';
export { undo } from './verbs/undo.js';
