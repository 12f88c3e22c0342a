import {
  ENVIRONMENT_KEY,
  isLegacyBackup,
  isNightshiftBackup,
  type Tag,
  tagValue,
} from '@nightshift/conventions';
import type { LegacyRdsSnapshot, TargetSelector } from './records.ts';

/*
 * The backups the original backup script (`backup-automation.py`) made, which
 * backup-manager's retention adopts: EBS snapshots tagged `AutomatedBackup=true` and
 * `CreatedBy=lambda-backup-automation` (with `Environment`, `InstanceId`, `VolumeId`,
 * `Name`; `isLegacyBackup` of `@nightshift/conventions` reads the first two), and manual DB
 * snapshots named `<database>-backup-<YYYYMMDD-HHMMSS>`, which it never tagged.
 */

/** The original script's `%Y%m%d-%H%M%S` stamp after `<database>-backup-`. */
const LEGACY_STAMP = /^\d{8}-\d{6}$/;

/**
 * Whether an EBS snapshot's tags are those the original script wrote for `environment`:
 * `CreatedBy=lambda-backup-automation`, `AutomatedBackup=true` and
 * `Environment=<environment>`, exactly: the original wrote the environment under the default
 * key (`ENVIRONMENT_KEY`), whatever `ENVIRONMENT_TAG_KEY` says.
 *
 * @example
 * isLegacyEbsBackup(snapshot.Tags, 'production'); // true
 */
export const isLegacyEbsBackup = (tags: readonly Tag[] | undefined, environment: string): boolean =>
  isLegacyBackup(tags) && tagValue(tags, ENVIRONMENT_KEY) === environment;

/**
 * Whether a DB snapshot identifier is the name the original script gave a snapshot of
 * `databaseId`: `<databaseId>-backup-<YYYYMMDD-HHMMSS>`, exactly. The database is the one
 * the snapshot was made from (its `DBInstanceIdentifier`), never one guessed from the
 * name: `orders-backup-20260101-010101` is not a backup of `orders-backup`.
 *
 * @example
 * isLegacyRdsName('orders-backup-20261101-010000', 'orders'); // true
 */
export const isLegacyRdsName = (snapshotId: string, databaseId: string): boolean => {
  const prefix = `${databaseId}-backup-`;
  return snapshotId.startsWith(prefix) && LEGACY_STAMP.test(snapshotId.slice(prefix.length));
};

/** Whose a DB snapshot named like the original script's is, for a run. */
export type LegacyRdsOwner =
  /** The original script's backup of a database of the run: adopted. */
  | 'adopt'
  /** Not the original script's, or another environment's, or of a database not backed up. */
  | 'other'
  /** Of a database that no longer exists, and carrying no tags that say its environment. */
  | 'unknown';

/**
 * Whether a manual DB snapshot is a backup the original script made of a database of the
 * run's environment. The original never tagged its DB snapshots, and selected databases by
 * their own tags, so a snapshot belongs to the environment of the database it was made
 * from:
 * - its name must be `<database>-backup-<YYYYMMDD-HHMMSS>` for its own `DBInstanceIdentifier`,
 *   and it must not be a Nightshift backup;
 * - a database that exists must be a target of the run (tagged with the environment and
 *   the backup tag): a snapshot of any other database is left alone;
 * - of a database that no longer exists, only a snapshot that carries the environment and
 *   backup tags itself (copied from its database at the time) is adopted; any other is
 *   `unknown` and stays, as nothing says which environment it belongs to.
 *
 * @example
 * legacyRdsOwner(snapshot, { targets: new Set(['orders']), databases: new Set(['orders']), selector }); // 'adopt'
 */
export const legacyRdsOwner = (
  snapshot: Pick<LegacyRdsSnapshot, 'id' | 'sourceId' | 'tags'>,
  {
    targets,
    databases,
    selector,
  }: {
    /** The DB instances the run backs up. */
    targets: ReadonlySet<string>;
    /** Every DB instance of the Region. */
    databases: ReadonlySet<string>;
    selector: TargetSelector;
  },
): LegacyRdsOwner => {
  const { id, sourceId: databaseId, tags } = snapshot;
  if (!id || !databaseId || !isLegacyRdsName(id, databaseId) || isNightshiftBackup(tags))
    return 'other';
  if (targets.has(databaseId)) return 'adopt';
  if (databases.has(databaseId)) return 'other';
  const tagged =
    tagValue(tags, selector.environmentKey) === selector.environment &&
    tagValue(tags, selector.backupKey) === selector.backupValue;
  return tagged ? 'adopt' : 'unknown';
};
