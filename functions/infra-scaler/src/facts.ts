import { FACT, type ResourceKind } from '@nightshift/history';
import type { Database } from '@nightshift/inventory';
import type { Details } from '@nightshift/job';

/**
 * What AWS said about a resource that a stop or a start reports (the morning report prices
 * the time it was stopped from them). Every field is optional: what AWS did not give is
 * left out of the details, never written empty.
 */
export interface ResourceFacts {
  kind: ResourceKind;
  /** An instance's type, or a DB instance's class. */
  instanceType?: string | undefined;
  /** A DB instance deployed Multi-AZ. */
  multiAz?: boolean | undefined;
  /** A database's engine. */
  engine?: string | undefined;
  /** An Aurora cluster's member classes, one per member. */
  members?: readonly string[] | undefined;
  /** A group's desired capacity when it was emptied. */
  capacity?: number | undefined;
  /** A group's instance types, one per instance. */
  instanceTypes?: readonly string[] | undefined;
  /** On a start: since when Nightshift had it stopped. */
  stoppedSince?: Date | undefined;
}

const text = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value;

const list = (values: readonly string[] | undefined): string | undefined => {
  const given = (values ?? []).filter((value) => value.trim() !== '');
  return given.length > 0 ? given.join(',') : undefined;
};

/**
 * The `details` of a stop or a start (keys from `FACT`): the facts given, nothing for those
 * AWS did not give (no empty strings, no empty lists, no unreadable time).
 *
 * @example
 * factDetails({ kind: 'db-cluster', engine: 'aurora-mysql', members: ['db.r6g.large', 'db.r6g.large'] });
 * // { kind: 'db-cluster', engine: 'aurora-mysql', members: 'db.r6g.large,db.r6g.large' }
 */
export const factDetails = (facts: ResourceFacts): Details => {
  const details: Details = { [FACT.kind]: facts.kind };
  const set = (key: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) details[key] = value;
  };
  set(FACT.instanceType, text(facts.instanceType));
  set(FACT.multiAz, facts.multiAz);
  set(FACT.engine, text(facts.engine));
  set(FACT.members, list(facts.members));
  set(FACT.capacity, facts.capacity);
  set(FACT.instanceTypes, list(facts.instanceTypes));
  const since = facts.stoppedSince?.getTime();
  if (since !== undefined && !Number.isNaN(since))
    set(FACT.stoppedSince, new Date(since).toISOString());
  return details;
};

/**
 * The member classes of each Aurora cluster, from the DB instances whose `clusterId` is
 * it (one per member with a known class), in the order they were listed.
 *
 * @example
 * memberClasses(databases).get('orders'); // ['db.r6g.large', 'db.r6g.large']
 */
export const memberClasses = (databases: readonly Database[]): Map<string, string[]> => {
  const members = new Map<string, string[]>();
  for (const database of databases) {
    if (database.kind !== 'instance' || !database.clusterId || !database.instanceClass) continue;
    members.set(database.clusterId, [
      ...(members.get(database.clusterId) ?? []),
      database.instanceClass,
    ]);
  }
  return members;
};

/**
 * The facts of a database: a DB instance's class, Multi-AZ and engine; a cluster's engine
 * and member classes.
 *
 * @example
 * databaseFacts(database, memberClasses(databases));
 */
export const databaseFacts = (
  database: Database,
  members: ReadonlyMap<string, readonly string[]>,
): ResourceFacts =>
  database.kind === 'instance'
    ? {
        kind: 'db-instance',
        instanceType: database.instanceClass,
        multiAz: database.multiAz,
        engine: database.engine,
      }
    : { kind: 'db-cluster', engine: database.engine, members: members.get(database.id) };

/**
 * A time tag's value read as a date (`2026-12-01T18:00:00.000Z`), or undefined when absent
 * or not a full ISO time.
 *
 * @example
 * markTime('2026-12-01T18:00:00.000Z'); // 2026-12-01T18:00:00.000Z
 */
export const markTime = (value: string | undefined): Date | undefined => {
  const written = value?.trim() ?? '';
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(written))
    return undefined;
  const at = Date.parse(written);
  return Number.isNaN(at) ? undefined : new Date(at);
};
