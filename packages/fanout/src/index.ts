export {
  type CompleteInput,
  type CompleteState,
  completeIfDone,
  completeRun,
  SUMMARY_LEASE_MS,
} from './complete.ts';
export {
  type DispatchInput,
  type DispatchResult,
  type DispatchStatus,
  dispatch,
  MAX_DELAY_SECONDS,
  SQS_BATCH_SIZE,
  TARGETS_PER_LIST_ITEM,
} from './dispatch.ts';
export { DEFAULT_TTL_DAYS, HEADER_SK, headerKey, runPk, targetItemKey, targetSk } from './keys.ts';
export {
  ACCOUNT_ID,
  type DeadlineMessage,
  type FanoutMessage,
  MESSAGE_VERSION,
  parseMessage,
  REGION,
  runIdOf,
  type TargetMessage,
} from './message.ts';
export {
  MAX_ERROR_LENGTH,
  MAX_FAILED_ENTRIES,
  MAX_REASON_LENGTH,
  type RecordTargetInput,
  recordTarget,
} from './record.ts';
export {
  MAX_PENDING_LISTED,
  MAX_WORST_FAILURES,
  type RunFailure,
  type RunSummary,
  renderSummary,
  summarizeRun,
  type TargetResult,
} from './summary.ts';
export {
  compareTargets,
  type FailedEntry,
  type Target,
  type TargetOutcome,
  targetKey,
  type WorkResult,
} from './types.ts';
export {
  type BatchResponse,
  handleBatch,
  handleRecord,
  type RecordResult,
  type SqsRecordLike,
  type Work,
  type WorkContext,
  type WorkerDeps,
  type WorkerSettings,
} from './worker.ts';
