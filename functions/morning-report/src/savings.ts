import {
  FACT,
  FOUND_RUNNING_ACTIONS,
  RESOURCE_KINDS,
  type ResourceKind,
  type RunRecord,
  START_ACTIONS,
  STOP_ACTIONS,
} from '@nightshift/history';
import { HOUR_MS } from '@nightshift/runtime';
import type { SavingsWindow, StoppedInterval, Unit } from './model.ts';
import { priceKey } from './pricing.ts';

type Details = Record<string, string | number | boolean>;

/** A window of time: ISO `from` (included) to ISO `to` (excluded). */
export interface Window {
  from: string;
  to: string;
}

/** A fact's text, or undefined when it is absent or empty. */
const text = (details: Details, key: string): string | undefined =>
  String(details[key] ?? '').trim() || undefined;

/** A comma-separated fact as its non-empty entries. */
const list = (details: Details, key: string): string[] =>
  (text(details, key) ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

const kindOf = (details: Details | undefined): ResourceKind | undefined => {
  const kind = details?.[FACT.kind];
  return RESOURCE_KINDS.find((known) => known === kind);
};

/**
 * What a stopped resource bills when it runs, from the facts of its stop or start: an
 * instance is one EC2 unit; a DB instance one RDS unit, two when Multi-AZ (the standby is
 * billed too); an Aurora cluster one RDS unit per member class; a group one EC2 unit per
 * instance it had. A missing type gives no unit: the resource counts in hours only.
 *
 * @example
 * unitsOf({ kind: 'db-instance', instanceType: 'db.t3.micro', engine: 'postgres', multiAz: true });
 * // → two { service: 'rds', type: 'db.t3.micro', engine: 'postgres' }
 */
export const unitsOf = (details: Details | undefined): Unit[] => {
  if (!details) return [];
  const engine = text(details, FACT.engine);
  const rds = (type: string): Unit => ({ service: 'rds', type, ...(engine ? { engine } : {}) });
  switch (kindOf(details)) {
    case 'instance': {
      const type = text(details, FACT.instanceType);
      return type ? [{ service: 'ec2', type }] : [];
    }
    case 'db-instance': {
      const type = text(details, FACT.instanceType);
      if (!type) return [];
      const multiAz = details[FACT.multiAz];
      return multiAz === true || multiAz === 'true' ? [rds(type), rds(type)] : [rds(type)];
    }
    case 'db-cluster':
      return list(details, FACT.members).map(rds);
    case 'group':
      return list(details, FACT.instanceTypes).map((type) => ({ service: 'ec2', type }));
    default:
      return [];
  }
};

interface OpenInterval {
  account: string;
  region: string;
  kind: ResourceKind;
  id: string;
  from: string;
  details: Details;
}

/** Found running, started by someone else: an `unmark`, or a `record` of a due `running`. */
const foundRunning = (item: RunRecord['items'][number]): boolean =>
  FOUND_RUNNING_ACTIONS.includes(item.action) &&
  (item.action !== 'record' || item.details?.due === 'running');

/** The stop's facts, with what only the start knew filled in. */
const merged = (stop: Details, start: Details | undefined): Details => ({ ...start, ...stop });

const closed = (open: OpenInterval, to: string, ongoing: boolean, start?: Details) => {
  const { details, ...where } = open;
  const facts = merged(details, start);
  return { ...where, to, ongoing, units: unitsOf(facts) } satisfies StoppedInterval;
};

/**
 * The stretches of time Nightshift had each resource stopped, from the run history (records
 * in any order). Only the done items of runs that were not dry runs count. Per resource
 * (account, Region, kind, id): a stop opens an interval at its run's end, the next start
 * closes it, and so does finding it running (started by someone else: scale_up's `unmark`,
 * reconcile's `record` of a due `running`), so a stop never counts past the run that saw it
 * running; a second stop while one is open closes it there and opens another. A
 * start with no open interval begins at its `stoppedSince` fact when it has one (the stop
 * is older than the history read), and is left out otherwise. An interval still open at
 * `now` is `ongoing` and ends at `now`.
 *
 * @example
 * stoppedIntervals(records, new Date('2026-11-30T07:00:00Z'));
 * // → [{ account, region, kind: 'instance', id: 'i-1', from, to, ongoing, units: [{ service: 'ec2', type: 't3.micro' }] }]
 */
export const stoppedIntervals = (records: readonly RunRecord[], now: Date): StoppedInterval[] => {
  const runs = records
    .filter((record) => !record.dryRun)
    .toSorted((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
  const open = new Map<string, OpenInterval>();
  const intervals: StoppedInterval[] = [];
  for (const record of runs) {
    for (const item of record.items) {
      if (item.list !== 'done') continue;
      const kind = kindOf(item.details);
      if (!kind) continue;
      const details = item.details ?? {};
      const resource = { account: record.account, region: record.region, kind, id: item.id };
      const key = JSON.stringify(resource);
      if (STOP_ACTIONS.includes(item.action)) {
        // Stopped again while the history still had it stopped: someone started it in
        // between, unseen (AWS starts a database after 7 days stopped). The stop ends at
        // the latest here; from here a new one begins.
        const begun = open.get(key);
        if (begun) intervals.push(closed(begun, record.finishedAt, false));
        open.set(key, { ...resource, from: record.finishedAt, details });
      } else if (START_ACTIONS.includes(item.action) || foundRunning(item)) {
        const begun = open.get(key);
        open.delete(key);
        if (begun) {
          intervals.push(closed(begun, record.finishedAt, false, details));
          continue;
        }
        // Only a start knows since when; a missing or unreadable time parses to NaN, which
        // is before nothing.
        const since = text(details, FACT.stoppedSince) ?? '';
        if (
          START_ACTIONS.includes(item.action) &&
          Date.parse(since) < Date.parse(record.finishedAt)
        )
          intervals.push(closed({ ...resource, from: since, details }, record.finishedAt, false));
      }
    }
  }
  const end = now.toISOString();
  for (const begun of open.values()) intervals.push(closed(begun, end, true));
  return intervals.toSorted((a, b) => Date.parse(a.from) - Date.parse(b.from));
};

/**
 * Resources counted in hours only because what they bill is unknown (no type in their
 * facts), as notes for the report.
 *
 * @example
 * hoursOnlyNotes(intervals); // → ['group web-asg in eu-west-1 (111122223333): instance types unknown, counted in hours only']
 */
export const hoursOnlyNotes = (intervals: readonly StoppedInterval[]): string[] => [
  ...new Set(
    intervals
      .filter((interval) => interval.units.length === 0)
      .map(
        (interval) =>
          `${interval.kind} ${interval.id} in ${interval.region} (${interval.account}): ${
            interval.kind === 'group' ? 'instance types' : 'type'
          } unknown, counted in hours only`,
      ),
  ),
];

/**
 * Source-volume GiB of the snapshots deleted in a window, per Region: the
 * `sourceVolumeGiB` totals of snapshot-cleanup's runs (not dry runs) that finished in it.
 *
 * @example
 * deletedSnapshotGiB(records, { from, to }); // → Map { 'eu-west-1' => 120 }
 */
export const deletedSnapshotGiB = (
  records: readonly RunRecord[],
  { from, to }: Window,
): Map<string, number> => {
  const start = Date.parse(from);
  const end = Date.parse(to);
  const byRegion = new Map<string, number>();
  for (const record of records) {
    const finished = Date.parse(record.finishedAt);
    if (record.dryRun || record.service !== 'snapshot-cleanup') continue;
    if (finished < start || finished >= end) continue;
    const gib = record.totals.sourceVolumeGiB;
    if (typeof gib !== 'number' || !Number.isFinite(gib)) continue;
    byRegion.set(record.region, (byRegion.get(record.region) ?? 0) + gib);
  }
  return byRegion;
};

/**
 * Hours, instance-hours and an estimate in USD of what the stopped resources did not cost
 * in a window. Each interval is clipped to the window and counts its exact (decimal) hours;
 * each unit's hours are priced with `prices` (keyed by `priceKey`), and units without a
 * price go to `unpricedInstanceHours`. `snapshotGiB` and `snapshotPrices` are per Region;
 * `snapshotUsdPerMonth` is given only when every Region with deleted GiB has a price.
 *
 * @example
 * windowSavings(intervals, prices, { from, to }, new Map([['eu-west-1', 120]]), new Map([['eu-west-1', 0.05]]));
 * // → { from, to, resourceHours: 10.5, instanceHours: 10.5, usd: 0.1092, unpricedInstanceHours: 0, snapshotGiBDeleted: 120, snapshotUsdPerMonth: 6 }
 */
export const windowSavings = (
  intervals: readonly StoppedInterval[],
  prices: ReadonlyMap<string, number>,
  { from, to }: Window,
  snapshotGiB: ReadonlyMap<string, number>,
  snapshotPrices: ReadonlyMap<string, number>,
): SavingsWindow => {
  const start = Date.parse(from);
  const end = Date.parse(to);
  let resourceHours = 0;
  let instanceHours = 0;
  let usd = 0;
  let unpricedInstanceHours = 0;
  for (const interval of intervals) {
    const hours =
      (Math.min(end, Date.parse(interval.to)) - Math.max(start, Date.parse(interval.from))) /
      HOUR_MS;
    if (!(hours > 0)) continue;
    resourceHours += hours;
    for (const unit of interval.units) {
      instanceHours += hours;
      const price = prices.get(priceKey(unit, interval.region));
      if (price === undefined) unpricedInstanceHours += hours;
      else usd += hours * price;
    }
  }
  let snapshotGiBDeleted = 0;
  let snapshotUsd: number | undefined = 0;
  for (const [region, gib] of snapshotGiB) {
    snapshotGiBDeleted += gib;
    if (gib === 0) continue;
    const price = snapshotPrices.get(region);
    snapshotUsd =
      price === undefined || snapshotUsd === undefined ? undefined : snapshotUsd + gib * price;
  }
  return {
    from,
    to,
    resourceHours,
    instanceHours,
    usd,
    unpricedInstanceHours,
    snapshotGiBDeleted,
    ...(snapshotUsd === undefined ? {} : { snapshotUsdPerMonth: snapshotUsd }),
  };
};
