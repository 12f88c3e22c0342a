import { INSTANCE_ID_KEY, NAME_KEY, tagValue } from '@nightshift/conventions';
import type { Database, Ec2Instance } from '@nightshift/inventory';
import { type Decision, decide, emptyPlan, type Plan } from '@nightshift/job';
import { DAY_MS } from '@nightshift/runtime';
import { extraSetsOfDay } from './daySets.ts';
import { legacyRdsOwner } from './legacy.ts';
import {
  adoptedRdsRecord,
  type LegacyRdsSnapshot,
  snapshotIdentifier,
  type TargetSelector,
} from './records.ts';
import { type BackupRecord, planRetention } from './retention.ts';
import { backupTags } from './tags.ts';

/** What a backup run decides for a resource or a backup; the strings are the report's. */
export const Action = {
  BackUp: 'back up',
  Delete: 'delete',
  Keep: 'keep',
} as const;
export type Action = (typeof Action)[keyof typeof Action];

interface CreateBase extends Decision<typeof Action.BackUp> {
  /** The day it is the backup of (`2026-11-28`). */
  day: string;
  tags: { Key: string; Value: string }[];
  description: string;
  /** An instance with a volume tagged `Retention`: its volume tags are not copied. */
  retentionTaggedVolume: boolean;
}

/** One backup to make: of an instance (an EBS snapshot set), a DB instance or a cluster. */
export type CreateDecision =
  | (CreateBase & { kind: 'ebs' })
  | (CreateBase & {
      kind: 'rds' | 'rds-cluster';
      /** The RDS snapshot identifier of the day; EBS snapshot ids come from AWS. */
      snapshotId: string;
    });

/** One backup to delete: a second set of the day, or one past retention. */
export interface DeleteDecision extends Decision<typeof Action.Delete> {
  backup: BackupRecord;
  /** The reason the report gives once it is deleted. */
  doneReason: string;
}

export type Change = CreateDecision | DeleteDecision;

/** What a run read: the resources to back up and the backups that exist. */
export interface Inventory {
  /** Instances tagged with the environment and the backup tag. */
  instances: Ec2Instance[];
  /** DB instances tagged likewise. */
  databases: Database[];
  /** DB clusters tagged likewise. */
  clusters: Database[];
  /** Every DB instance of the Region, tagged or not. */
  databaseIds: ReadonlySet<string>;
  /** Nightshift's EBS backups of the environment, and the adopted ones of the original script. */
  ebsBackups: BackupRecord[];
  /** Nightshift's RDS backups of the environment. */
  rdsBackups: BackupRecord[];
  /** DB snapshots named like the original script's: adopted or not by the planner. */
  legacyCandidates: LegacyRdsSnapshot[];
  /** Manual DB snapshots and manual DB cluster snapshots the Region holds. */
  manualSnapshots: number;
  manualClusterSnapshots: number;
  /** The instances to back up with a volume tagged `Retention`. */
  retentionTaggedVolumes: ReadonlySet<string>;
}

/** What the planner needs besides what was read. */
export interface PlanSettings {
  selector: TargetSelector;
  /** The day being backed up: the scheduled time's (UTC). */
  day: string;
  now: Date;
  retentionDays: number;
  keepLast: number;
}

/** The decisions of a run, and how many backups of the original script it adopted. */
export interface BackupPlan extends Plan<Action, Change> {
  adopted: number;
}

/**
 * The backups of `sourceId` that count for `day`: a set with a failed snapshot (`error`)
 * does not, even when its other volumes' snapshots completed; one still pending does.
 *
 * @example
 * backupsOfDay(existing, 'ebs', 'i-0abc', '2026-11-28'); // [snap-1, snap-2]
 */
export const backupsOfDay = (
  backups: readonly BackupRecord[],
  kind: BackupRecord['kind'],
  sourceId: string,
  day: string,
): BackupRecord[] => {
  const today = backups.filter(
    (backup) => backup.kind === kind && backup.sourceId === sourceId && backup.day === day,
  );
  const failedSets = new Set(
    today.filter((backup) => backup.status === 'error').map((backup) => backup.set),
  );
  return today.filter((backup) => !failedSets.has(backup.set));
};

/**
 * The instances that get a backup on `day`: those without one of that day among
 * Nightshift's own `backups` (whose volume tags are then read).
 *
 * @example
 * instancesToBackUp(instances, backups, '2026-11-28'); // ['i-0abc']
 */
export const instancesToBackUp = (
  instances: readonly Ec2Instance[],
  backups: readonly BackupRecord[],
  day: string,
): string[] =>
  instances
    .filter((instance) => backupsOfDay(backups, 'ebs', instance.id, day).length === 0)
    .map((instance) => instance.id);

const selection = (selector: TargetSelector) =>
  `tagged ${selector.environmentKey}=${selector.environment} and ${selector.backupKey}=${selector.backupValue}`;

/** The note on a backup whose volume tags are not copied. */
export const VOLUME_TAGS_NOTE = '; volume tags not copied: a volume is tagged Retention';

/**
 * Decides what to back up on `day`: one decision per resource without a backup of that
 * day; a skip, with its reason, for each other one.
 */
const planCreates = (
  input: Inventory,
  own: readonly BackupRecord[],
  { selector, day }: PlanSettings,
): { creates: CreateDecision[]; skips: Decision<Action>[] } => {
  const creates: CreateDecision[] = [];
  const skips: Decision<Action>[] = [];
  const clusterIds = new Set(input.clusters.map((cluster) => cluster.id));
  const tagsFor = (name: string, sourceId: string, extra: { Key: string; Value: string }[] = []) =>
    backupTags({
      name,
      environmentKey: selector.environmentKey,
      environment: selector.environment,
      sourceId,
      day,
      extra,
    });
  const decision = (id: string) => {
    const retentionTaggedVolume = input.retentionTaggedVolumes.has(id);
    const note = retentionTaggedVolume ? VOLUME_TAGS_NOTE : '';
    return { ...decide(Action.BackUp, id, `${selection(selector)}${note}`), retentionTaggedVolume };
  };
  const alreadyDone = (kind: BackupRecord['kind'], id: string) => {
    const today = backupsOfDay(own, kind, id, day);
    if (today.length === 0) return false;
    skips.push(
      decide(
        Action.BackUp,
        id,
        `already backed up on ${day} (${today.map((backup) => backup.id).join(', ')})`,
      ),
    );
    return true;
  };
  const rdsCreate = (kind: 'rds' | 'rds-cluster', id: string): CreateDecision => {
    const snapshotId = snapshotIdentifier(id, day);
    return {
      ...decision(id),
      kind,
      day,
      snapshotId,
      tags: tagsFor(id, id),
      description: snapshotId,
    };
  };

  for (const { id, tags } of input.instances) {
    if (alreadyDone('ebs', id)) continue;
    const name = tagValue(tags, NAME_KEY) ?? id;
    creates.push({
      ...decision(id),
      kind: 'ebs',
      day,
      tags: tagsFor(name, id, [{ Key: INSTANCE_ID_KEY, Value: id }]),
      description: `Nightshift backup of ${id} (${name}) on ${day}`,
    });
  }
  for (const { id, clusterId, status } of input.databases) {
    if (clusterId && clusterIds.has(clusterId)) {
      skips.push(
        decide(Action.BackUp, id, `member of cluster ${clusterId}: backed up with the cluster`),
      );
    } else if (clusterId) {
      skips.push(
        decide(
          Action.BackUp,
          id,
          `member of cluster ${clusterId}, which is not ${selection(selector)}: not backed up`,
        ),
      );
    } else if (status !== 'available') {
      skips.push(decide(Action.BackUp, id, `status is ${status}, not available`));
    } else if (!alreadyDone('rds', id)) {
      creates.push(rdsCreate('rds', id));
    }
  }
  for (const { id, status } of input.clusters) {
    if (status !== 'available') {
      skips.push(decide(Action.BackUp, id, `status is ${status}, not available`));
    } else if (!alreadyDone('rds-cluster', id)) {
      creates.push(rdsCreate('rds-cluster', id));
    }
  }
  return { creates, skips };
};

const extraSetReason = (backup: BackupRecord, keptIds: readonly string[]) =>
  `a second set of ${backup.sourceId} on ${backup.day}, made at the same time as ${keptIds.join(', ')}, which stays`;

/**
 * Decides a backup run, from what was read only: the day's backups (none for a resource
 * already backed up that day), the deletes of extra sets of the day (deliveries at the
 * same moment whose clean-up did not finish: the set `chooseDaySet` picks stays) and the
 * retention deletes, of Nightshift's backups and of the original script's it adopts.
 * Retention reads only what existed before this run: a backup made now is not finished
 * yet, so it can neither be deleted nor stand in for the last finished one. Pure.
 *
 * @example
 * const plan = planBackups(inventory, { selector, day: '2026-11-28', now, retentionDays: 7, keepLast: 1 });
 */
export const planBackups = (input: Inventory, settings: PlanSettings): BackupPlan => {
  const { selector, day, now, retentionDays, keepLast } = settings;
  const plan = emptyPlan<Action, Change>();
  // Nightshift's own backups: what the day's backups and sets are checked against.
  const ownEbs = input.ebsBackups.filter((backup) => !backup.adopted);
  const existing = [...ownEbs, ...input.rdsBackups];
  // The original backup script's, of this environment: retention's too, nothing else.
  const targets = new Set(input.databases.map((db) => db.id));
  const legacyOwners = input.legacyCandidates.map((snapshot) => ({
    snapshot,
    owner: legacyRdsOwner(snapshot, { targets, databases: input.databaseIds, selector }),
  }));
  const adopted = [
    ...input.ebsBackups.filter((backup) => backup.adopted),
    ...legacyOwners.flatMap(({ snapshot, owner }) =>
      owner === 'adopt' ? [adoptedRdsRecord(snapshot)] : [],
    ),
  ];

  const { creates, skips } = planCreates(input, existing, settings);
  plan.skips.push(...skips);
  plan.changes.push(...creates);

  const extraSets = extraSetsOfDay(ownEbs, day);
  const extraIds = new Set(extraSets.map(({ backup }) => backup.id));
  for (const { backup, keptIds } of extraSets) {
    const reason = extraSetReason(backup, keptIds);
    plan.changes.push({ ...decide(Action.Delete, backup.id, reason), backup, doneReason: reason });
  }

  const retention = planRetention(
    [...existing.filter((backup) => !extraIds.has(backup.id)), ...adopted],
    { retentionDays, keepLast, now },
  );
  for (const { backup, reason } of retention.kept) {
    plan.skips.push(decide(Action.Keep, backup.id, reason));
  }
  for (const backup of retention.expired) {
    const expiry = `made by ${backup.adopted ? 'the original backup script' : 'Nightshift'}, older than ${retentionDays} days`;
    plan.changes.push({
      ...decide(
        Action.Delete,
        backup.id,
        `${expiry} (backup of ${backup.sourceId} on ${backup.day})`,
      ),
      backup,
      doneReason: expiry,
    });
  }
  // Named like the original script's backups of a database that no longer exists, with
  // nothing that says its environment: kept, and said so once it is past retention.
  const cutoff = now.getTime() - retentionDays * DAY_MS;
  for (const { snapshot, owner } of legacyOwners) {
    if (owner !== 'unknown' || snapshot.createdAt.getTime() >= cutoff) continue;
    plan.skips.push(
      decide(
        Action.Keep,
        snapshot.id,
        `named like the original backup script's backups of ${snapshot.sourceId}, which no longer exists, and not ${selection(selector)}: its environment is unknown`,
      ),
    );
  }
  return { ...plan, adopted: adopted.length };
};
