import { countReport, type Report, type ReportEntry } from '@nightshift/runtime';
import { FACT } from './facts.ts';
import type { HistoryItem, RunOrigin, RunRecord } from './types.ts';

/**
 * The longest a record's JSON may be, in UTF-8 bytes: well under DynamoDB's 400 KB item,
 * with room for the keys and the other attributes.
 */
export const MAX_RECORD_BYTES = 350_000;

const bytesOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

const itemOf = (
  list: HistoryItem['list'],
  { id, action, reason, details }: ReportEntry,
): HistoryItem => ({
  list,
  id,
  action,
  reason,
  ...(details ? { details } : {}),
});

/** A skipped entry the history keeps: one that says what a person should look at. */
const needsAttention = (entry: ReportEntry): boolean => {
  const attention = entry.details?.[FACT.attention];
  return attention !== undefined && attention !== '' && attention !== false;
};

/** A time as `toISOString` writes it (the sort keys depend on it); `fallback` when it is not one. */
const isoOf = (time: string | undefined, fallback: Date): string => {
  const parsed = Date.parse(String(time));
  return (Number.isNaN(parsed) ? fallback : new Date(parsed)).toISOString();
};

export interface RunRecordOptions {
  /** When a report without `finishedAt` finished; default now. */
  now?: Date;
  /** The longest the record's JSON may be, in UTF-8 bytes; default `MAX_RECORD_BYTES`. */
  maxBytes?: number;
}

/**
 * The history's record of a run: where it ran, its counts and totals, and the entries the
 * morning report reads: every done and failed one, and the skipped ones that carry
 * `attention` (planned entries never: a dry run's plan changed nothing). When the JSON
 * would be longer than `maxBytes`, skipped items go first, then done items, then failed
 * ones, each from the end of its list; `truncated` says how many went.
 *
 * @example
 * toRunRecord(report, { environment: 'staging', account: '123456789012', region: 'eu-west-1' });
 */
export const toRunRecord = (
  report: Report,
  origin: RunOrigin,
  { now = new Date(), maxBytes = MAX_RECORD_BYTES }: RunRecordOptions = {},
): RunRecord => {
  const base: RunRecord = {
    service: report.service,
    environment: origin.environment,
    account: origin.account,
    region: origin.region,
    startedAt: isoOf(report.startedAt, now),
    finishedAt: isoOf(report.finishedAt, now),
    dryRun: report.dryRun,
    counts: countReport(report),
    totals: { ...report.totals },
    items: [],
  };
  const lists = {
    done: report.done.map((entry) => itemOf('done', entry)),
    failed: report.failed.map((entry) => itemOf('failed', entry)),
    skipped: report.skipped.filter(needsAttention).map((entry) => itemOf('skipped', entry)),
  };
  const all = [...lists.done, ...lists.failed, ...lists.skipped];
  const sizes = new Map(all.map((item) => [item, bytesOf(item)]));
  const baseBytes = bytesOf(base);
  let count = all.length;
  let itemBytes = all.reduce((sum, item) => sum + (sizes.get(item) ?? 0), 0);
  // The items and the commas between them.
  const listBytes = () => itemBytes + Math.max(count - 1, 0);
  if (baseBytes + listBytes() <= maxBytes) return { ...base, items: all };

  // `,"truncated":<n>`, with the most digits n can have.
  const truncatedBytes = bytesOf({ truncated: all.length }) - 1;
  const dropped = new Set<HistoryItem>();
  for (const list of [lists.skipped, lists.done, lists.failed]) {
    for (let index = list.length - 1; index >= 0; index -= 1) {
      if (baseBytes + truncatedBytes + listBytes() <= maxBytes) break;
      const item = list[index] as HistoryItem;
      dropped.add(item);
      itemBytes -= sizes.get(item) ?? 0;
      count -= 1;
    }
  }
  return { ...base, items: all.filter((item) => !dropped.has(item)), truncated: dropped.size };
};
