import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type Target, targetKey } from './types.ts';

/** The runs table's partition key of a run. */
export const runPk = (runId: string): string => `run#${runId}`;
/** The sort key of a run's header item. */
export const HEADER_SK = 'run';
/** The sort key prefix of the target items. */
export const TARGET_SK_PREFIX = 'target#';
/** The sort key prefix of the items listing the run's targets. */
export const LIST_SK_PREFIX = 'list#';

/** The sort key of a target's item: `target#<accountId>#<region>`. */
export const targetSk = (target: Target): string => `${TARGET_SK_PREFIX}${targetKey(target)}`;

/** The key of a run's header item. */
export const headerKey = (runId: string): Record<string, AttributeValue> => ({
  pk: { S: runPk(runId) },
  sk: { S: HEADER_SK },
});

/** The key of a target's item. */
export const targetItemKey = (runId: string, target: Target): Record<string, AttributeValue> => ({
  pk: { S: runPk(runId) },
  sk: { S: targetSk(target) },
});

/** How long the table keeps a run by default (its TTL), in days. */
export const DEFAULT_TTL_DAYS = 30;

/** The TTL attribute's value (seconds since the epoch) for a run seen at `now`. */
export const expiresAtOf = (now: Date, ttlDays: number): string =>
  String(Math.ceil(now.getTime() / 1000) + Math.round(ttlDays * 86_400));
