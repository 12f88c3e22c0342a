import { FACT, type HistoryItem, IDLE_ACTION, type RunRecord } from '@nightshift/history';
import { HOUR_MS } from '@nightshift/runtime';
import type { Attention } from './model.ts';

/** How far back the report looks for what needs a person. */
export const ATTENTION_WINDOW_HOURS = 24;

/** The category of an item a person should look at, or none. */
const categoryOf = (item: HistoryItem): Attention['category'] | undefined => {
  if (item.list === 'failed')
    return item.details?.[FACT.fellBack] === true ? 'fell back to stopped' : 'failed';
  if (item.list === 'done' && item.action === IDLE_ACTION) return 'idle';
  if (item.list === 'skipped' && typeof item.details?.[FACT.attention] === 'string')
    return 'last backup of a deleted volume';
  return undefined;
};

/** What the item says a person should know: the `attention` sentence, else its reason. */
const reasonOf = (item: HistoryItem): string => {
  const attention = item.details?.[FACT.attention];
  return typeof attention === 'string' && attention !== '' ? attention : item.reason;
};

/**
 * What a person should look at, from the runs (not dry runs) that finished in the 24
 * hours before `now`: every failed item (`fell back to stopped` when the instance went
 * back to stopped), every idle instance the check flagged, every snapshot kept only as
 * the last backup of a volume that is gone. Newest first; a resource appears once per
 * service and category, as the newest run saw it.
 *
 * @example
 * needsAPerson(records, { now: new Date() });
 * // [{ category: 'failed', service: 'infra-scaler', id: 'i-0abc', action: 'start', reason: '…', at: '…', … }]
 */
export const needsAPerson = (
  records: readonly RunRecord[],
  { now }: { now: Date },
): Attention[] => {
  const to = now.getTime();
  const from = to - ATTENTION_WINDOW_HOURS * HOUR_MS;
  const recent = records
    .filter((record) => {
      const finished = Date.parse(record.finishedAt);
      return !record.dryRun && finished > from && finished <= to;
    })
    .sort((a, b) => Date.parse(b.finishedAt) - Date.parse(a.finishedAt));
  const seen = new Set<string>();
  const found: Attention[] = [];
  for (const record of recent) {
    for (const item of record.items) {
      const category = categoryOf(item);
      if (!category) continue;
      const key = JSON.stringify([
        record.service,
        record.account,
        record.region,
        item.id,
        category,
      ]);
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({
        category,
        service: record.service,
        account: record.account,
        region: record.region,
        id: item.id,
        action: item.action,
        reason: reasonOf(item),
        at: record.finishedAt,
      });
    }
  }
  return found;
};
