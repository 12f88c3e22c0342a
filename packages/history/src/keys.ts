import { randomBytes } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { RunRecord } from './types.ts';

/** The partition key prefix of the run records: one partition per UTC day. */
export const HISTORY_PK_PREFIX = 'history#';

/** Seconds in a day, for the TTL. */
const DAY_SECONDS = 86_400;

/**
 * The UTC day (`YYYY-MM-DD`) of a time.
 *
 * @example
 * utcDay('2026-11-30T23:59:59.999Z'); // '2026-11-30'
 */
export const utcDay = (time: Date | string): string => new Date(time).toISOString().slice(0, 10);

/**
 * The partition of the records that finished on a UTC day.
 *
 * @example
 * historyPk('2026-11-30T08:00:00.000Z'); // 'history#2026-11-30'
 */
export const historyPk = (time: Date | string): string => `${HISTORY_PK_PREFIX}${utcDay(time)}`;

/** Eight random hex digits: two records of one service, account and Region in the same millisecond stay two. */
export const randomSuffix = (): string => randomBytes(4).toString('hex');

/**
 * The sort key of a record: `<finishedAt>#<service>#<account>#<region>#<8 hex>`, so a day's
 * records sort by the time they finished.
 *
 * @example
 * historySk(record, '0a1b2c3d'); // '2026-11-30T08:00:00.000Z#snapshot-cleanup#123456789012#eu-west-1#0a1b2c3d'
 */
export const historySk = (
  {
    finishedAt,
    service,
    account,
    region,
  }: Pick<RunRecord, 'finishedAt' | 'service' | 'account' | 'region'>,
  suffix: string = randomSuffix(),
): string => `${finishedAt}#${service}#${account}#${region}#${suffix}`;

/** The key of a record's item. */
export const historyKey = (
  record: Pick<RunRecord, 'finishedAt' | 'service' | 'account' | 'region'>,
  suffix?: string,
): Record<string, AttributeValue> => ({
  pk: { S: historyPk(record.finishedAt) },
  sk: { S: historySk(record, suffix) },
});

/**
 * The TTL attribute's value (seconds since the epoch): `retentionDays` after the run finished.
 *
 * @example
 * expiresAtOf('2026-11-30T00:00:00.000Z', 400); // 1799280000
 */
export const expiresAtOf = (finishedAt: string, retentionDays: number): number =>
  Math.floor(Date.parse(finishedAt) / 1000) + retentionDays * DAY_SECONDS;

/**
 * Every UTC day from `from`'s to `to`'s, both included, as `YYYY-MM-DD`; none when `from`
 * is after `to`.
 *
 * @example
 * daysBetween(new Date('2026-11-29T22:00:00Z'), new Date('2026-12-01T01:00:00Z')); // ['2026-11-29', '2026-11-30', '2026-12-01']
 */
export const daysBetween = (from: Date, to: Date): string[] => {
  const days: string[] = [];
  if (from.getTime() > to.getTime()) return days;
  const last = utcDay(to);
  const day = new Date(`${utcDay(from)}T00:00:00.000Z`);
  for (let current = utcDay(day); current <= last; current = utcDay(day)) {
    days.push(current);
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return days;
};
