import { SAVED_SIZE_KEY, SCALED_DOWN_KEY, tagValue } from '@nightshift/conventions';
import type { Database, Ec2Instance, GroupSize, ScalingGroup } from '@nightshift/inventory';
import { type Decision, decide, emptyPlan, type Plan } from '@nightshift/job';
import type { CpuStats } from './cpu.ts';
import { hasExactTag, tagMismatch } from './environment.ts';
import { databaseFacts, factDetails, markTime, memberClasses } from './facts.ts';
import { decodeSize, encodeSize } from './marks.ts';

/** What infra-scaler does to a resource: the action strings its reports show. */
export const Action = {
  Stop: 'stop',
  ScaleToZero: 'scale to 0',
  Start: 'start',
  Unmark: 'unmark',
  Restore: 'restore',
  Check: 'check',
  FlagIdle: 'flag idle',
} as const;
export type Action = (typeof Action)[keyof typeof Action];

/** The run's environment and the tags that opt a resource in (from the settings). */
export interface Scope {
  environment: string;
  environmentTagKey: string;
  autoScaleTagKey: string;
  autoScaleTagValue: string;
}

/** What scale_down and scale_up read: the environment's instances, groups and databases. */
export interface Inventory {
  instances: Ec2Instance[];
  groups: ScalingGroup[];
  databases: Database[];
}

/** scale_down of an instance: mark it, then stop it. */
export type InstanceStop = Decision<typeof Action.Stop> & { resource: 'instance' };
/** scale_down of a group: save its sizes (unless `saved` already), then min and desired to 0. */
export type GroupEmpty = Decision<typeof Action.ScaleToZero> & {
  resource: 'group';
  /** Its sizes now. */
  size: GroupSize;
  /** Whether its sizes are saved already (they are kept, never overwritten). */
  saved: boolean;
};
/** scale_down of a database: mark it, then stop it. */
export type DatabaseStop = Decision<typeof Action.Stop> & {
  resource: 'database';
  database: Database;
};
export type ScaleDownChange = InstanceStop | GroupEmpty | DatabaseStop;

/**
 * scale_up of a marked instance: `start` one that is stopped, `unmark` one already
 * `running` or `pending` (its mark comes off once it is seen running).
 */
export type InstanceStart = Decision<typeof Action.Start | typeof Action.Unmark> & {
  resource: 'instance';
  state: string;
};
/** scale_up of a group: its saved sizes back, then the tag off. */
export type GroupRestore = Decision<typeof Action.Restore> & { resource: 'group'; size: GroupSize };
/** scale_up of a marked database: `start` one that is stopped, `unmark` one already available. */
export type DatabaseStart = Decision<typeof Action.Start | typeof Action.Unmark> & {
  resource: 'database';
  database: Database;
};
export type ScaleUpChange = InstanceStart | GroupRestore | DatabaseStart;

/** The note of every scale_down that stops a database. */
export const RDS_RESTART_NOTE =
  'AWS starts a stopped RDS database again after 7 days; scale_down stops it again on its next run';

/**
 * scale_down's plan: stop the environment's running instances tagged for it (never one of
 * an Auto Scaling group), empty its groups tagged for it after saving their sizes (once),
 * stop its available databases tagged for it (a cluster member stops with its cluster).
 * "Tagged for it" is `Environment=<environment>` and `AutoScale=true`, checked again
 * exactly on every resource, whatever the tag filters returned. A group whose saved sizes
 * cannot be read is a problem: emptied, it could never be restored.
 *
 * @example
 * const plan = planScaleDown({ instances, groups, databases }, scope);
 */
export const planScaleDown = (
  { instances, groups, databases }: Inventory,
  scope: Scope,
): Plan<Action, ScaleDownChange> => {
  const plan = emptyPlan<Action, ScaleDownChange>();
  const required = {
    [scope.environmentTagKey]: scope.environment,
    [scope.autoScaleTagKey]: scope.autoScaleTagValue,
  };
  const selection = `tagged ${scope.environmentTagKey}=${scope.environment} and ${scope.autoScaleTagKey}=${scope.autoScaleTagValue}`;

  for (const instance of instances) {
    const mismatch = tagMismatch(instance.tags, required);
    if (mismatch) {
      plan.skips.push(decide(Action.Stop, instance.id, mismatch));
    } else if (instance.groupName) {
      plan.skips.push(
        decide(
          Action.Stop,
          instance.id,
          `in Auto Scaling group ${instance.groupName}: scaled through the group`,
        ),
      );
    } else {
      plan.changes.push({
        ...decide(
          Action.Stop,
          instance.id,
          selection,
          factDetails({ kind: 'instance', instanceType: instance.instanceType }),
        ),
        resource: 'instance',
      });
    }
  }

  for (const group of groups) {
    const { name, size } = group;
    const facts = factDetails({
      kind: 'group',
      capacity: size.desired,
      instanceTypes: group.instanceTypes,
    });
    const mismatch = tagMismatch(group.tags, required);
    if (mismatch) {
      plan.skips.push(decide(Action.ScaleToZero, name, mismatch));
      continue;
    }
    const saved = tagValue(group.tags, SAVED_SIZE_KEY);
    if (saved === undefined) {
      plan.changes.push({
        ...decide(Action.ScaleToZero, name, `saving ${encodeSize(size)}`, facts),
        resource: 'group',
        size,
        saved: false,
      });
    } else if (!decodeSize(saved)) {
      // Emptied now, the group could never be restored: a person must look first.
      plan.problems.push(
        decide(
          Action.ScaleToZero,
          name,
          `saved sizes ${JSON.stringify(saved)} are not min=N,max=N,desired=N with min <= desired <= max; left as it is: correct or remove the tag`,
        ),
      );
    } else if (size.min === 0 && size.desired === 0) {
      plan.skips.push(decide(Action.ScaleToZero, name, `already scaled down (saved ${saved})`));
    } else {
      // Scaled up again since its sizes were saved (by a person, or a run cut short after
      // saving): emptied again, and the sizes saved first are the ones scale_up restores.
      plan.changes.push({
        ...decide(
          Action.ScaleToZero,
          name,
          `scaled up again to ${encodeSize(size)} since its sizes were saved; emptied again, saved ${saved} kept`,
          facts,
        ),
        resource: 'group',
        size,
        saved: true,
      });
    }
  }

  let stopsDatabase = false;
  const members = memberClasses(databases);
  for (const database of databases) {
    if (tagMismatch(database.tags, required) !== undefined) continue;
    if (database.clusterId) {
      plan.skips.push(
        decide(
          Action.Stop,
          database.id,
          `member of cluster ${database.clusterId}: stopped with the cluster`,
        ),
      );
    } else if (database.status !== 'available') {
      // Busy (backing-up, modifying…) or on its way somewhere already: left alone.
      const reason =
        database.status === 'stopped'
          ? 'already stopped'
          : `status is ${database.status}, not available`;
      plan.skips.push(decide(Action.Stop, database.id, reason));
    } else {
      stopsDatabase = true;
      plan.changes.push({
        ...decide(
          Action.Stop,
          database.id,
          selection,
          factDetails(databaseFacts(database, members)),
        ),
        resource: 'database',
        database,
      });
    }
  }
  if (stopsDatabase) plan.notes.push(RDS_RESTART_NOTE);
  return plan;
};

/**
 * scale_up's plan: restore exactly what scale_down changed. Start the marked instances
 * that are stopped (and unmark those already running or pending), give each group with
 * saved sizes its sizes back, start the marked databases that are stopped (and unmark
 * those already available). Only resources tagged `Environment=<environment>` exactly are
 * touched; what a person stopped carries no mark; what is still stopping or busy keeps its
 * mark for the next scale_up. A saved size that cannot be read is a problem.
 *
 * @example
 * const plan = planScaleUp({ instances, groups, databases }, scope);
 */
export const planScaleUp = (
  { instances, groups, databases }: Inventory,
  scope: Pick<Scope, 'environment' | 'environmentTagKey'>,
): Plan<Action, ScaleUpChange> => {
  const plan = emptyPlan<Action, ScaleUpChange>();
  const sameEnvironment = { [scope.environmentTagKey]: scope.environment };

  for (const instance of instances) {
    const { id, state } = instance;
    const since = tagValue(instance.tags, SCALED_DOWN_KEY);
    const mismatch = tagMismatch(instance.tags, sameEnvironment);
    if (mismatch || since === undefined) {
      plan.skips.push(decide(Action.Start, id, mismatch ?? 'not marked by scale_down'));
    } else if (state === 'stopped') {
      plan.changes.push({
        ...decide(
          Action.Start,
          id,
          `stopped by scale_down at ${since}`,
          factDetails({
            kind: 'instance',
            instanceType: instance.instanceType,
            stoppedSince: markTime(since),
          }),
        ),
        resource: 'instance',
        state,
      });
    } else if (state === 'running' || state === 'pending') {
      // Its facts too: someone started it, so Nightshift's stop ends here in the history.
      plan.changes.push({
        ...decide(
          Action.Unmark,
          id,
          `already ${state}`,
          factDetails({ kind: 'instance', instanceType: instance.instanceType }),
        ),
        resource: 'instance',
        state,
      });
    } else {
      // Stopping (a scale_down not long ago): its mark stays, so a later scale_up starts it.
      plan.skips.push(
        decide(Action.Start, id, `is ${state}; it keeps its mark, so the next scale_up starts it`),
      );
    }
  }

  for (const group of groups) {
    const saved = tagValue(group.tags, SAVED_SIZE_KEY);
    if (saved === undefined) continue;
    const mismatch = tagMismatch(group.tags, sameEnvironment);
    if (mismatch) {
      plan.skips.push(decide(Action.Restore, group.name, mismatch));
      continue;
    }
    const size = decodeSize(saved);
    if (!size) {
      plan.problems.push(
        decide(
          Action.Restore,
          group.name,
          `saved sizes ${JSON.stringify(saved)} are not min=N,max=N,desired=N with min <= desired <= max`,
        ),
      );
      continue;
    }
    plan.changes.push({
      ...decide(
        Action.Restore,
        group.name,
        encodeSize(size),
        factDetails({ kind: 'group', capacity: size.desired, instanceTypes: group.instanceTypes }),
      ),
      resource: 'group',
      size,
    });
  }

  const members = memberClasses(databases);
  for (const database of databases) {
    const marked =
      hasExactTag(database.tags, scope.environmentTagKey, scope.environment) &&
      tagValue(database.tags, SCALED_DOWN_KEY) !== undefined;
    if (!marked) continue;
    if (database.status === 'stopped' || database.status === 'available') {
      const action = database.status === 'stopped' ? Action.Start : Action.Unmark;
      // An unmark carries the facts too: when it fails, it is reported as a start.
      const facts = factDetails({
        ...databaseFacts(database, members),
        stoppedSince: markTime(tagValue(database.tags, SCALED_DOWN_KEY)),
      });
      plan.changes.push({
        ...decide(action, database.id, `status ${database.status}`, facts),
        resource: 'database',
        database,
      });
    } else {
      plan.skips.push(
        decide(
          Action.Start,
          database.id,
          `status is ${database.status}; it keeps its mark, so the next scale_up starts it`,
        ),
      );
    }
  }
  return plan;
};

/** What the idle check read: the environment's running instances and their CPU figures. */
export interface IdleInput {
  instances: Ec2Instance[];
  /** By instance id; an instance without CPU data is absent. */
  cpu: ReadonlyMap<string, CpuStats>;
}

/** The idle check's plan: nothing to change; the idle instances it flags are its findings. */
export type IdlePlan = Plan<Action> & { findings: Decision<Action>[] };

/**
 * check's plan: the running instances whose average CPU over the look-back is under the
 * threshold are flagged idle; the others (busy, or without CPU data) are skipped. It
 * changes nothing, so its findings are the same in a dry run.
 *
 * @example
 * const { idle } = planIdleCheck({ instances, cpu }, { lookbackDays: 14, thresholdPercent: 10 });
 */
export const planIdleCheck = (
  { instances, cpu }: IdleInput,
  { lookbackDays, thresholdPercent }: { lookbackDays: number; thresholdPercent: number },
): IdlePlan => {
  const plan: IdlePlan = { ...emptyPlan<Action>(), findings: [] };
  for (const { id } of instances) {
    const stats = cpu.get(id);
    if (!stats) {
      plan.skips.push(decide(Action.Check, id, `no CPU data in the last ${lookbackDays} days`));
      continue;
    }
    const figures = `average CPU ${stats.average.toFixed(1)}% (daily maximum ${stats.maximum.toFixed(1)}%) over ${stats.days} days`;
    const details = {
      averageCpu: Number(stats.average.toFixed(2)),
      maximumCpu: Number(stats.maximum.toFixed(2)),
      days: stats.days,
    };
    if (stats.average < thresholdPercent) {
      plan.findings.push(
        decide(Action.FlagIdle, id, `${figures}, under ${thresholdPercent}%`, details),
      );
    } else {
      plan.skips.push(decide(Action.Check, id, `busy: ${figures}`, details));
    }
  }
  return plan;
};
