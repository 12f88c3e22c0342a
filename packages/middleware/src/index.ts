export {
  CLIENT_DEFAULTS,
  type ClientClass,
  type ClientDefaults,
  GONE_AFTER_RETRY,
  getClient,
  resetClients,
  wasRetried,
} from './clients.ts';
export { envFlag, envInteger, envList, envString, loadConfig } from './config.ts';
export { resolveDryRun } from './dryRun.ts';
export { errorLogger } from './errorLogger.ts';
export { ConfigError, type FieldIssue, PartialFailureError, ValidationError } from './errors.ts';
export { eventValidator } from './eventValidator.ts';
export { mapSettled, type SettledMap } from './mapSettled.ts';
export { createObservability, METRICS_NAMESPACE, type Observability } from './observability.ts';
export { maskSecrets, REDACTED, redactSecrets } from './redact.ts';
export {
  countReport,
  createReport,
  failureReason,
  logReport,
  OUT_OF_TIME,
  REPORT_LOG_CHUNK,
  type Report,
  type ReportCounts,
  type ReportEntry,
  recordUnfinished,
  renderReport,
  summarizeReport,
  throwIfFailed,
} from './report.ts';
export {
  publishReport,
  SNS_MAX_PUBLISH_BYTES,
  SNS_MAX_SUBJECT_LENGTH,
  toSnsSubject,
  truncateUtf8,
} from './snsReport.ts';
export {
  AUTOMATED_BACKUP,
  CREATED_BY,
  hasTag,
  isLegacyBackup,
  isNightshiftBackup,
  isPermanent,
  LEGACY_CREATED_BY,
  managedBy,
  PERMANENT_TAG,
  type Tag,
  tagValue,
} from './tags.ts';
export {
  createTimeBudget,
  DEFAULT_SAFETY_MARGIN_MS,
  type RemainingTime,
  type TimeBudget,
} from './timeBudget.ts';
export { parseOrThrow, type Schema, toFieldIssues } from './validation.ts';
export { withNightshift } from './withNightshift.ts';
