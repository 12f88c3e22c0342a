export { accountIdOfArn, accountOfArn } from './arn.ts';
export {
  CLIENT_DEFAULTS,
  type ClientClass,
  type ClientDefaults,
  GONE_AFTER_RETRY,
  getClient,
  resetClients,
  wasRetried,
} from './clients.ts';
export {
  envFlag,
  envInteger,
  envJson,
  envList,
  envString,
  type ParseOptions,
  parseEnv,
  parseSettings,
  type Setting,
  type Settings,
  type SettingsSpec,
} from './config.ts';
export { resolveDryRun } from './dryRun.ts';
export {
  asError,
  ConfigError,
  type FieldIssue,
  PartialFailureError,
  ValidationError,
} from './errors.ts';
export { mapSettled, type SettledMap } from './mapSettled.ts';
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
  type ReportLogger,
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
export { DAY_MS, HOUR_MS } from './time.ts';
export {
  createTimeBudget,
  DEFAULT_SAFETY_MARGIN_MS,
  type RemainingTime,
  type TimeBudget,
} from './timeBudget.ts';
export { parseOrThrow, type Schema, toFieldIssues } from './validation.ts';
