import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { type CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  EC2Client,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { getClient, type Report, type ReportEntry } from '@nightshift/runtime';
import type { BundleInvocation } from '@nightshift/testing';
import { launchInstance, toTags } from './ec2.ts';

/** The tags of the schedules contract, spelled out as resources carry them. */
export const TAG = {
  schedule: 'nightshift:schedule',
  snoozeUntil: 'nightshift:snooze-until',
  lastAction: 'nightshift:last-action',
  lastError: 'nightshift:last-error',
  order: 'nightshift:order',
  savedSize: 'nightshift:saved-size',
} as const;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

let counter = 0;
/** A name no other test of the run uses: `web-3-k2x9`. */
export const unique = (prefix: string): string => {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 6)}`;
};

/** The wall clock of `instant` in `timeZone`, by Intl: `{ date: '2026-12-24', hhmm: '07:05' }`. */
export const wallClock = (instant: Date, timeZone: string): { date: string; hhmm: string } => {
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  for (const { type, value } of format.formatToParts(instant)) parts[type] = value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hhmm: `${parts.hour}:${parts.minute}`,
  };
};

/** An every-day period, on `timeZone`'s wall clock, from `from` to `to` hours away from `now`. */
export const periodFrom = (now: Date, timeZone: string, from: number, to: number) => ({
  start: wallClock(new Date(now.getTime() + from * HOUR_MS), timeZone).hhmm,
  stop: wallClock(new Date(now.getTime() + to * HOUR_MS), timeZone).hhmm,
});

/**
 * A schedule of one every-day period that puts `now` 2 hours inside it (due running) or 2
 * hours after its stop (due stopped: the period ran from 4 to 2 hours ago), on the wall
 * clock of its time zone.
 */
export const scheduleDue = (
  due: 'running' | 'stopped',
  now: Date,
  { timezone = 'UTC', ...rest }: { timezone?: string } & Record<string, unknown> = {},
) => ({
  timezone,
  periods: [
    due === 'running' ? periodFrom(now, timezone, -2, 2) : periodFrom(now, timezone, -4, -2),
  ],
  ...rest,
});

/** The schedules document as `SCHEDULES` holds it (JSON text). */
export const schedulesText = (schedules: Record<string, unknown>): string =>
  JSON.stringify({ schedules });

/** `stop@<ISO>` / `start@<ISO>`, as Nightshift writes `nightshift:last-action`. */
export const lastAction = (action: 'start' | 'stop', at: Date): string =>
  `${action}@${at.toISOString()}`;

/** Launches an instance with the given tags, stopped first when `stopped`. */
export const seedInstance = async (
  ec2: EC2Client,
  tags: Record<string, string>,
  { stopped = false }: { stopped?: boolean } = {},
): Promise<string> => {
  const id = await launchInstance(ec2, tags);
  if (stopped) await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
  return id;
};

/** Sets tags on instances by hand, as a person in the console does. */
export const tagInstances = (ec2: EC2Client, ids: string[], tags: Record<string, string>) =>
  ec2.send(new CreateTagsCommand({ Resources: ids, Tags: toTags(tags) }));

/**
 * An Auto Scaling group of its own launch configuration, with `sizes` and `tags` (the tags
 * propagated to its instances, so they carry `nightshift:schedule` too).
 */
export const seedGroup = async (
  autoscaling: AutoScalingClient,
  name: string,
  { min, max, desired }: { min: number; max: number; desired: number },
  tags: Record<string, string>,
): Promise<void> => {
  await autoscaling.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: `${name}-lc`,
      ImageId: 'ami-12c6146b',
      InstanceType: 't3.micro',
    }),
  );
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      LaunchConfigurationName: `${name}-lc`,
      MinSize: min,
      MaxSize: max,
      DesiredCapacity: desired,
      AvailabilityZones: ['us-east-1a'],
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: true })),
    }),
  );
};

/** A PostgreSQL DB instance with `tags`, stopped first when `stopped`; returns its ARN. */
export const seedDatabase = async (
  rds: RDSClient,
  id: string,
  tags: Record<string, string>,
  { stopped = false, engine = 'postgres', multiAz = false } = {},
): Promise<string> => {
  const { DBInstance } = await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: id,
      Engine: engine,
      DBInstanceClass: 'db.t3.micro',
      AllocatedStorage: 20,
      MultiAZ: multiAz,
      MasterUsername: 'admin',
      MasterUserPassword: 'not-a-secret-1',
      Tags: toTags(tags),
    }),
  );
  if (stopped) await rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: id }));
  return DBInstance?.DBInstanceArn ?? '';
};

/**
 * An Aurora PostgreSQL cluster with `tags`, available (the emulator shows a new cluster as
 * `creating` once), stopped first when `stopped`; returns its ARN.
 */
export const seedCluster = async (
  rds: RDSClient,
  id: string,
  tags: Record<string, string>,
  { stopped = false } = {},
): Promise<string> => {
  const { DBCluster } = await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: 'aurora-postgresql',
      MasterUsername: 'admin',
      MasterUserPassword: 'not-a-secret-1',
      Tags: toTags(tags),
    }),
  );
  await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
  if (stopped) await rds.send(new StopDBClusterCommand({ DBClusterIdentifier: id }));
  return DBCluster?.DBClusterArn ?? '';
};

/** Sets tags on a database (instance or cluster) by its ARN. */
export const tagDatabase = (rds: RDSClient, arn: string, tags: Record<string, string>) =>
  rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: toTags(tags) }));

/** Per-minute CPUUtilization datapoints of an instance at `value` percent, over the last `minutes`. */
export const putCpu = (
  cloudwatch: CloudWatchClient,
  instanceId: string,
  value: number,
  { minutes = 10, now = new Date() }: { minutes?: number; now?: Date } = {},
) =>
  cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: 'AWS/EC2',
      MetricData: Array.from({ length: minutes }, (_, minute) => ({
        MetricName: 'CPUUtilization',
        Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
        Timestamp: new Date(now.getTime() - (minute + 1) * MINUTE_MS),
        Value: value,
        Unit: 'Percent' as const,
      })),
    }),
  );

const tagRecord = (tags: { Key?: string; Value?: string }[] | undefined) =>
  Object.fromEntries((tags ?? []).map(({ Key = '', Value = '' }) => [Key, Value]));

/** A resource as a test sees it: its state (or a group's sizes) and every tag. */
export interface Seen {
  state: string | undefined;
  tags: Record<string, string>;
}

/** Instances by id: state and tags. */
export const seeInstances = async (ec2: EC2Client, ids: string[]): Promise<Map<string, Seen>> => {
  const { Reservations = [] } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
  return new Map(
    Reservations.flatMap((r) => r.Instances ?? []).map((i) => [
      i.InstanceId ?? '',
      { state: i.State?.Name, tags: tagRecord(i.Tags) },
    ]),
  );
};

/** One instance's state and tags. */
export const seeInstance = async (ec2: EC2Client, id: string): Promise<Seen> =>
  (await seeInstances(ec2, [id])).get(id) ?? { state: undefined, tags: {} };

/** A group's sizes as `min/max/desired`, its tags, and the ids of its instances. */
export const seeGroup = async (
  autoscaling: AutoScalingClient,
  name: string,
): Promise<Seen & { instanceIds: string[] }> => {
  const { AutoScalingGroups = [] } = await autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
  );
  const group = AutoScalingGroups[0];
  return {
    state: group ? `${group.MinSize}/${group.MaxSize}/${group.DesiredCapacity}` : undefined,
    tags: tagRecord(group?.Tags),
    instanceIds: (group?.Instances ?? []).map((i) => i.InstanceId ?? '').sort(),
  };
};

/** A DB instance's status and tags. */
export const seeDatabase = async (rds: RDSClient, id: string): Promise<Seen> => {
  const { DBInstances = [] } = await rds.send(
    new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }),
  );
  return { state: DBInstances[0]?.DBInstanceStatus, tags: tagRecord(DBInstances[0]?.TagList) };
};

/** An Aurora cluster's status and tags. */
export const seeCluster = async (rds: RDSClient, id: string): Promise<Seen> => {
  const { DBClusters = [] } = await rds.send(
    new DescribeDBClustersCommand({ DBClusterIdentifier: id }),
  );
  return { state: DBClusters[0]?.Status, tags: tagRecord(DBClusters[0]?.TagList) };
};

/** A reconcile's report: the report, and the stops due soon beside it. */
export type ReconcileReport = Report & { headsUp?: unknown[] };

const SECTIONS = ['planned', 'done', 'skipped', 'failed'] as const;

/**
 * The report of an invocation: what the handler returned, or (when it failed the invocation
 * because items failed) the report as it logged it, section by section.
 */
export const reportOf = (invocation: BundleInvocation<ReconcileReport>): ReconcileReport => {
  if (invocation.result) return invocation.result;
  const summary = invocation.logs.find((line) => line.message === 'Report');
  const report = {
    service: String(summary?.service ?? ''),
    dryRun: Boolean(summary?.dryRun),
    startedAt: String(summary?.startedAt ?? ''),
    planned: [],
    done: [],
    skipped: [],
    failed: [],
    totals: (summary?.totals ?? {}) as Record<string, number>,
    notes: (summary?.notes ?? []) as string[],
  } as ReconcileReport;
  for (const section of SECTIONS)
    for (const line of invocation.logs.filter((l) => l.message === `Report ${section}`))
      report[section].push(...(line.entries as ReportEntry[]));
  return report;
};

/** The entry of `id` in one section of a report (undefined when absent). */
export const entryOf = (
  report: ReconcileReport,
  section: (typeof SECTIONS)[number],
  id: string,
): ReportEntry | undefined => report[section].find((entry) => entry.id === id);

/** Every entry of `id`, whatever the section, as `section: action: reason` lines. */
export const linesOf = (report: ReconcileReport, id: string): string[] =>
  SECTIONS.flatMap((section) =>
    report[section]
      .filter((entry) => entry.id === id)
      .map((entry) => `${section}: ${entry.action}: ${entry.reason}`),
  );

/** Whether `value` is `<action>@<ISO time>` with the time inside [from, to]. */
export const isLastAction = (
  value: string | undefined,
  action: 'start' | 'stop',
  from: Date,
  to: Date,
): boolean => {
  const match = /^(start|stop)@(.+)$/.exec(value ?? '');
  if (!match || match[1] !== action) return false;
  const at = Date.parse(match[2] ?? '');
  return at >= from.getTime() - 1_000 && at <= to.getTime() + 1_000;
};

/**
 * One scheduled resource of each case a reconcile run handles, by role, and the schedules
 * document (`SCHEDULES`) they are on: `day` due running and `night` due stopped at `now`,
 * with hours of margin either side, so the same document holds for every run within them.
 */
export interface ScheduledAccount {
  ec2: EC2Client;
  autoscaling: AutoScalingClient;
  rds: RDSClient;
  schedules: string;
  instances: {
    /** Running, due stopped, never acted on: stopped. */
    toStop: string;
    /** Stopped, due running, never acted on: started. */
    toStart: string;
    /** Running, due stopped, its snooze passed (started by Nightshift this morning): stopped, snooze off. */
    snoozePassed: string;
    /** Running, due running, the last transition handled a stop: the start is only recorded. */
    toRecord: string;
    /** Stopped, due stopped, and Nightshift stopped it: nothing to write. */
    settled: string;
  };
  /** An Auto Scaling group at 2/5/3, due stopped: sizes saved, then 0. */
  group: string;
  /** A running PostgreSQL DB instance, due stopped. */
  database: string;
}

/**
 * Seeds every case of a reconcile run into a fresh account: the same names and tags every
 * time (the ids of instances differ), so runs from it can be compared by `observeScheduled`.
 */
export const seedScheduledAccount = async (now: Date): Promise<ScheduledAccount> => {
  const [ec2, autoscaling, rds] = [
    getClient(EC2Client),
    getClient(AutoScalingClient),
    getClient(RDSClient),
  ];
  const [day, night] = ['crash-day', 'crash-night'];
  const schedules = schedulesText({
    [day]: scheduleDue('running', now),
    [night]: scheduleDue('stopped', now),
  });
  const toStop = await seedInstance(ec2, { [TAG.schedule]: night });
  const toStart = await seedInstance(ec2, { [TAG.schedule]: day }, { stopped: true });
  const snoozePassed = await seedInstance(ec2, {
    [TAG.schedule]: night,
    [TAG.snoozeUntil]: new Date(now.getTime() - MINUTE_MS).toISOString(),
    [TAG.lastAction]: lastAction('start', new Date(now.getTime() - 10 * HOUR_MS)),
  });
  const toRecord = await seedInstance(ec2, {
    [TAG.schedule]: day,
    [TAG.lastAction]: lastAction('stop', new Date(now.getTime() - DAY_MS)),
  });
  const settled = await seedInstance(
    ec2,
    {
      [TAG.schedule]: night,
      [TAG.lastAction]: lastAction('stop', new Date(now.getTime() - 2 * HOUR_MS)),
    },
    { stopped: true },
  );
  const group = 'crash-web';
  await seedGroup(autoscaling, group, { min: 2, max: 5, desired: 3 }, { [TAG.schedule]: night });
  const database = 'crash-db';
  await seedDatabase(rds, database, { [TAG.schedule]: night });
  return {
    ec2,
    autoscaling,
    rds,
    schedules,
    instances: { toStop, toStart, snoozePassed, toRecord, settled },
    group,
    database,
  };
};

/**
 * What a run leaves of one resource, alike between runs at different times: its state (a
 * group's `min/max/desired`), the action part of `nightshift:last-action` (`stop`, `start`,
 * or undefined when absent), and whether `nightshift:last-error` and
 * `nightshift:snooze-until` are there.
 */
export interface ScheduledState {
  state: string | undefined;
  lastAction: string | undefined;
  lastError: boolean;
  snoozeUntil: boolean;
}

const scheduledState = ({ state, tags }: Seen): ScheduledState => ({
  state,
  lastAction: tags[TAG.lastAction]?.split('@')[0],
  lastError: TAG.lastError in tags,
  snoozeUntil: TAG.snoozeUntil in tags,
});

/** Every resource of a `seedScheduledAccount` by role; the group's saved-size tag beside it. */
export const observeScheduled = async ({
  ec2,
  autoscaling,
  rds,
  instances,
  group,
  database,
}: ScheduledAccount) => {
  const seen = await seeInstances(ec2, Object.values(instances));
  const instance = (id: string) => scheduledState(seen.get(id) ?? { state: undefined, tags: {} });
  const groupSeen = await seeGroup(autoscaling, group);
  return {
    toStop: instance(instances.toStop),
    toStart: instance(instances.toStart),
    snoozePassed: instance(instances.snoozePassed),
    toRecord: instance(instances.toRecord),
    settled: instance(instances.settled),
    group: { ...scheduledState(groupSeen), savedSize: groupSeen.tags[TAG.savedSize] },
    database: scheduledState(await seeDatabase(rds, database)),
  };
};

/**
 * The `done` entries of a report as SNS delivers it (the rendered text), by the role of
 * their resource in `account`: `{ toStop: 'stop: stopped' }`. Resources of other roles
 * (the group's instances) are left out.
 */
export const doneByRole = (account: ScheduledAccount, message: string): Record<string, string> => {
  const roles = new Map<string, string>([
    ...Object.entries(account.instances).map(([role, id]): [string, string] => [id, role]),
    [account.group, 'group'],
    [account.database, 'database'],
  ]);
  const done: Record<string, string> = {};
  let section = '';
  for (const line of message.split('\n')) {
    const heading = /^([A-Z]+) \(\d+\)$/.exec(line);
    if (heading) section = heading[1] ?? '';
    const entry = /^- (\S+): (.+)$/.exec(line);
    const role = entry && roles.get(entry[1] ?? '');
    if (section === 'DONE' && role) done[role] = entry?.[2] ?? '';
  }
  return done;
};
