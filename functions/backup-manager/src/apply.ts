import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import { deleteSnapshot, recordDelete } from '@nightshift/inventory';
import type { Outcomes } from '@nightshift/job';
import { mapSettled, type TimeBudget } from '@nightshift/runtime';
import { createInstanceBackup } from './ec2Backups.ts';
import {
  Action,
  type Change,
  type CreateDecision,
  type DeleteDecision,
  VOLUME_TAGS_NOTE,
} from './plan.ts';
import { createRdsBackup, deleteRdsBackup } from './rdsBackups.ts';

/** What a run made and deleted, for its totals, metrics and quota warning. */
export interface Tally {
  /** Backups made by this run (not one found made already). */
  created: number;
  /** Of which DB snapshots, and DB cluster snapshots. */
  rdsCreated: number;
  clusterCreated: number;
  /** Backups deleted (or found gone by a retried call). */
  deleted: number;
}

export const emptyTally = (): Tally => ({
  created: 0,
  rdsCreated: 0,
  clusterCreated: 0,
  deleted: 0,
});

/** How a run applies its changes. */
export interface ApplySettings {
  concurrency: number;
  budget: TimeBudget;
  /** Counted into as the changes are carried out. */
  tally: Tally;
  /** The run's clock. */
  now: () => Date;
}

/** What one backup did: the snapshots that stand for the day, and what it deleted after. */
interface Created {
  ids: string[];
  /** The day was found backed up already (a second delivery, or a set made at the same time). */
  existed: boolean;
  /** The snapshots this run made. */
  made: string[];
  duplicatesDeleted: string[];
  otherSetsDeleted: string[];
}

const createBackup = async (
  { ec2, rds }: { ec2: EC2Client; rds: RDSClient },
  decision: CreateDecision,
  now: () => Date,
): Promise<Created> => {
  if (decision.kind === 'ebs') {
    const { snapshotIds, duplicatesDeleted, otherSetsDeleted, keptInstead } =
      await createInstanceBackup(ec2, {
        instanceId: decision.target,
        day: decision.day,
        tags: decision.tags,
        description: decision.description,
        copyVolumeTags: !decision.retentionTaggedVolume,
        now,
      });
    return {
      ids: keptInstead ?? snapshotIds,
      existed: keptInstead !== undefined,
      made: snapshotIds,
      duplicatesDeleted,
      otherSetsDeleted,
    };
  }
  const { snapshotId } = decision;
  const outcome = await createRdsBackup(rds, {
    kind: decision.kind,
    sourceId: decision.target,
    snapshotId,
    tags: decision.tags,
  });
  return {
    ids: [snapshotId],
    existed: outcome === 'exists',
    made: [],
    duplicatesDeleted: [],
    otherSetsDeleted: [],
  };
};

/** The report's reason for a backup carried out. */
const createdReason = (decision: CreateDecision, value: Created): string => {
  const { day } = decision;
  const lostAnswer =
    value.duplicatesDeleted.length > 0
      ? `; deleted ${value.duplicatesDeleted.join(', ')}, a second set made by an attempt whose answer was lost`
      : '';
  if (value.existed) {
    const raced =
      value.made.length > 0
        ? `: that set, made at the same time by another delivery of this event, stays; deleted ${value.otherSetsDeleted.join(', ')}, the other sets of the day, this run's among them`
        : '';
    return `already backed up on ${day} (${value.ids.join(', ')})${raced}${lostAnswer}`;
  }
  const volumeTags = decision.retentionTaggedVolume ? VOLUME_TAGS_NOTE : '';
  const otherSets =
    value.otherSetsDeleted.length > 0
      ? `; deleted ${value.otherSetsDeleted.join(', ')}, a second set of ${day} made at the same time by another delivery of this event`
      : '';
  return `created ${value.ids.join(', ')}${volumeTags}${lostAnswer}${otherSets}`;
};

const deleteBackup = (
  { ec2, rds }: { ec2: EC2Client; rds: RDSClient },
  { backup }: DeleteDecision,
) =>
  backup.kind === 'ebs'
    ? deleteSnapshot(ec2, backup.id)
    : deleteRdsBackup(rds, { kind: backup.kind, id: backup.id });

/**
 * Carries out a backup run's changes, within the time budget: the new backups first (the
 * run's time goes to backing up before cleaning up), then the deletes; records each
 * outcome and counts into `tally`.
 *
 * @example
 * await applyChanges({ ec2, rds }, plan.changes, outcomes, { concurrency: 5, budget, tally, now });
 */
export const applyChanges = async (
  clients: { ec2: EC2Client; rds: RDSClient },
  changes: readonly Change[],
  outcomes: Outcomes<Action>,
  { concurrency, budget, tally, now }: ApplySettings,
): Promise<void> => {
  const creates = changes.filter(
    (change): change is CreateDecision => change.action === Action.BackUp,
  );
  const deletes = changes.filter(
    (change): change is DeleteDecision => change.action === Action.Delete,
  );

  const created = await mapSettled(creates, (decision) => createBackup(clients, decision, now), {
    concurrency,
    budget,
  });
  for (const { item, value } of created.succeeded) {
    if (!value.existed) {
      tally.created += 1;
      if (item.kind === 'rds') tally.rdsCreated += 1;
      if (item.kind === 'rds-cluster') tally.clusterCreated += 1;
    }
    outcomes.done(item, createdReason(item, value));
  }
  outcomes.unfinished(created);

  const deleted = await mapSettled(deletes, (decision) => deleteBackup(clients, decision), {
    concurrency,
    budget,
  });
  for (const { item, value } of deleted.succeeded) {
    // The report says 'already gone' alone: RDS snapshots are deleted here as well.
    const counted = recordDelete(outcomes, { ...item, reason: item.doneReason }, value, {
      alreadyGone: 'already gone',
    });
    if (counted) tally.deleted += 1;
  }
  outcomes.unfinished(deleted);
};
