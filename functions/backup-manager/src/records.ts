import { createHash } from 'node:crypto';
import { isPermanent, managedBy, type Tag } from '@nightshift/conventions';
import type { BackupRecord } from './retention.ts';
import { backupDay } from './tags.ts';

/*
 * backup-manager's own types of what a run reads, and the pure rules on them: what the
 * AWS adapters (`ec2Backups.ts`, `rdsBackups.ts`) map the SDK's answers to, and what the
 * planner reads. No AWS calls.
 */

/** Which resources a run backs up: tagged with the environment and the backup tag. */
export interface TargetSelector {
  environmentKey: string;
  environment: string;
  backupKey: string;
  backupValue: string;
}

/**
 * A manual DB snapshot named like the original backup script's backups
 * (`<database>-backup-<YYYYMMDD-HHMMSS>` for the database it was made from), as read:
 * whether the run adopts it depends on the databases (`legacyRdsOwner`).
 */
export interface LegacyRdsSnapshot {
  /** The DB snapshot identifier. */
  id: string;
  /** The DB instance it was made from. */
  sourceId: string;
  createdAt: Date;
  /** RDS's word for it (`available`, `creating`, `failed`...); `unknown` when not said. */
  status: string;
  tags: Tag[];
}

/**
 * A manual DB snapshot the original backup script made, as an adopted backup of the
 * database it was made from.
 *
 * @example
 * adoptedRdsRecord(snapshot); // { id: 'orders-backup-20261101-010000', sourceId: 'orders', adopted: true, ... }
 */
export const adoptedRdsRecord = ({
  id,
  sourceId,
  createdAt,
  status,
  tags,
}: LegacyRdsSnapshot): BackupRecord => {
  const owner = managedBy(tags);
  return {
    id,
    kind: 'rds',
    sourceId,
    day: backupDay(createdAt),
    set: id,
    createdAt,
    status,
    finished: status === 'available',
    permanent: isPermanent(tags),
    adopted: true,
    ...(owner === undefined ? {} : { managedBy: owner }),
  };
};

/** DB and DB cluster snapshot identifiers: 1 to 63 letters, digits and hyphens. */
const MAX_IDENTIFIER_LENGTH = 63;
const PREFIX = 'nightshift-';
/** Hex characters of the hash that tells two shortened names apart. */
const HASH_LENGTH = 8;

/**
 * The one snapshot identifier of a database for a day, valid for RDS whatever the
 * database is called: letters, digits and single hyphens, starting with a letter, not
 * ending with a hyphen, at most 63 characters. A name too long to fit is shortened and
 * followed by a hash of the whole identifier, so two long names never share one.
 *
 * @example
 * snapshotIdentifier('Orders_DB', '2026-11-28'); // 'nightshift-orders-db-2026-11-28'
 */
export const snapshotIdentifier = (sourceId: string, day: string): string => {
  const suffix = `-${day}`;
  const name =
    sourceId
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      // Runs are one hyphen now: at most one to drop at each end.
      .replace(/^-|-$/g, '') || 'db';
  const room = MAX_IDENTIFIER_LENGTH - PREFIX.length - suffix.length;
  if (name.length <= room) return `${PREFIX}${name}${suffix}`;
  const hash = createHash('sha256').update(sourceId).digest('hex').slice(0, HASH_LENGTH);
  const trimmed = name.slice(0, room - HASH_LENGTH - 1).replace(/-$/, '');
  return `${PREFIX}${trimmed}-${hash}${suffix}`;
};
