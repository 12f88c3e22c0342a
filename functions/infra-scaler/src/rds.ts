import {
  AddTagsToResourceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  type RDSClient,
  RemoveTagsFromResourceCommand,
  StartDBClusterCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { SCALED_DOWN_KEY } from '@nightshift/conventions';
import type { Database } from '@nightshift/inventory';
import { asError } from '@nightshift/runtime';

/** Statuses in which a stop has taken effect: the database must keep its mark. */
const STOPPING = ['stopping', 'stopped'];
/** Statuses in which a start has taken effect. */
const STARTED = ['starting', 'available'];

/** The database's status now, read again; undefined when it cannot be read. */
const currentStatus = async (rds: RDSClient, db: Database): Promise<string | undefined> => {
  try {
    if (db.kind === 'instance') {
      const { DBInstances = [] } = await rds.send(
        new DescribeDBInstancesCommand({ DBInstanceIdentifier: db.id }),
      );
      return DBInstances.find((found) => found.DBInstanceIdentifier === db.id)?.DBInstanceStatus;
    }
    const { DBClusters = [] } = await rds.send(
      new DescribeDBClustersCommand({ DBClusterIdentifier: db.id }),
    );
    return DBClusters.find((found) => found.DBClusterIdentifier === db.id)?.Status;
  } catch {
    return undefined;
  }
};

/** The error, its message followed by what became of the mark. */
const withNote = (error: unknown, note: string): Error => {
  const cause = asError(error);
  return Object.assign(new Error(`${cause.message}; ${note}`, { cause }), { name: cause.name });
};

/**
 * Marks a database as stopped by scale_down, then stops it. A stop that fails may still
 * have taken effect (its answer lost, the retry refused because the database is already
 * stopping), so the database is read again: stopping or stopped counts as stopped and
 * keeps its mark (the result names the error); only a database seen in another status
 * has its mark taken back; one that cannot be read keeps its mark.
 *
 * @example
 * await stopDatabase(rds, database, new Date()); // undefined: stopped as asked
 */
export const stopDatabase = async (
  rds: RDSClient,
  db: Database,
  now: Date,
): Promise<{ error: Error; status: string } | undefined> => {
  await rds.send(
    new AddTagsToResourceCommand({
      ResourceName: db.arn,
      Tags: [{ Key: SCALED_DOWN_KEY, Value: now.toISOString() }],
    }),
  );
  try {
    await (db.kind === 'instance'
      ? rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: db.id }))
      : rds.send(new StopDBClusterCommand({ DBClusterIdentifier: db.id })));
    return undefined;
  } catch (error) {
    const status = await currentStatus(rds, db);
    if (status === undefined) {
      throw withNote(error, 'its status could not be read again, so it keeps its mark');
    }
    if (STOPPING.includes(status)) return { error: asError(error), status };
    await unmarkDatabase(rds, db).catch(() => undefined);
    throw error;
  }
};

/** What scale_up did to a marked database that did not fail. */
export type StartOutcome = { unmarked: true; status: string } | { unmarked: false; reason: string };

/**
 * Starts a database that scale_down stopped (unless it is already up), reads its status
 * (from the start's answer, or read again) and removes the mark only when it is starting
 * or available. A start that fails but
 * took effect (its answer lost) counts as started. A database that is stopping, stopped
 * again, or cannot be read keeps its mark, so a later scale_up deals with it.
 *
 * @example
 * await startDatabase(rds, database); // { unmarked: true, status: 'starting' }
 */
export const startDatabase = async (rds: RDSClient, db: Database): Promise<StartOutcome> => {
  let startError: unknown;
  // The start's answer is the freshest read there is (a read just after may still say stopped).
  let answered: string | undefined;
  if (db.status === 'stopped') {
    try {
      answered =
        db.kind === 'instance'
          ? (await rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: db.id }))).DBInstance
              ?.DBInstanceStatus
          : (await rds.send(new StartDBClusterCommand({ DBClusterIdentifier: db.id }))).DBCluster
              ?.Status;
    } catch (error) {
      startError = error;
    }
  }
  const status = answered ?? (await currentStatus(rds, db));
  if (status !== undefined && STARTED.includes(status)) {
    await unmarkDatabase(rds, db);
    return { unmarked: true, status };
  }
  if (startError !== undefined) throw startError;
  if (status === undefined) {
    return {
      unmarked: false,
      reason:
        'its status could not be read again, so it keeps its mark until a scale_up finds it available',
    };
  }
  if (db.status === 'stopped') {
    throw Object.assign(
      new Error(`started, but now ${status}; it keeps its mark, so the next scale_up tries again`),
      { name: 'NotStarted' },
    );
  }
  return {
    unmarked: false,
    reason: `now ${status}; it keeps its mark, so the next scale_up starts it`,
  };
};

const unmarkDatabase = async (rds: RDSClient, db: Database): Promise<void> => {
  await rds.send(
    new RemoveTagsFromResourceCommand({ ResourceName: db.arn, TagKeys: [SCALED_DOWN_KEY] }),
  );
};
