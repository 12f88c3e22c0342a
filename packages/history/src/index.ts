export * from './facts.ts';
export {
  daysBetween,
  expiresAtOf,
  HISTORY_PK_PREFIX,
  historyKey,
  historyPk,
  historySk,
  randomSuffix,
  utcDay,
} from './keys.ts';
export { parseRunRecord, READ_CONCURRENCY, type RunsRead, readRuns } from './read.ts';
export { MAX_RECORD_BYTES, type RunRecordOptions, toRunRecord } from './record.ts';
export {
  DEFAULT_RETENTION_DAYS,
  HISTORY_SETTINGS,
  type HistorySettings,
  loadHistorySettings,
  UNKNOWN_ENVIRONMENT,
} from './settings.ts';
export type * from './types.ts';
export {
  HISTORY_CLIENT_LIMITS,
  type HistoryLogger,
  type HistoryTarget,
  notableOf,
  type RunPlace,
  recordRun,
  writeRun,
} from './write.ts';
