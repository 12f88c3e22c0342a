import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import {
  type CloudWatchClient,
  type MetricDataQuery,
  paginateGetMetricData,
} from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import { SCHEDULE_KEY } from '@nightshift/conventions';
import {
  type Database,
  type Ec2Instance,
  listDatabases,
  listGroups,
  listInstances,
  type ScalingGroup,
} from '@nightshift/inventory';
import { memberClasses } from '../facts.ts';
import type { BusyQuery, Scheduled } from './types.ts';

/** The instance states a schedule can act on or has to wait for; terminated ones are not read. */
const INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped'] as const;

/** GetMetricData takes at most 500 queries per call. */
const QUERIES_PER_CALL = 500;
/** One datapoint per minute. */
const PERIOD_SECONDS = 60;
const MINUTE_MS = 60_000;

const fromInstance = ({ id, state, tags, groupName, instanceType }: Ec2Instance): Scheduled => ({
  kind: 'instance',
  id,
  state,
  tags,
  ...(groupName ? { groupName } : {}),
  ...(instanceType ? { instanceType } : {}),
});

const fromGroup = ({ name, size, tags, instanceTypes }: ScalingGroup): Scheduled => ({
  kind: 'group',
  id: name,
  state: size.desired > 0 || size.min > 0 ? 'running' : 'stopped',
  tags,
  size,
  ...(instanceTypes.length > 0 ? { instanceTypes } : {}),
});

const fromDatabase = (
  { kind, id, arn, status, tags, clusterId, instanceClass, multiAz, engine }: Database,
  members: ReadonlyMap<string, string[]>,
): Scheduled => {
  const classes = kind === 'cluster' ? members.get(id) : undefined;
  return {
    kind: kind === 'instance' ? 'db-instance' : 'db-cluster',
    id,
    arn,
    state: status,
    tags,
    ...(clusterId ? { clusterId } : {}),
    ...(kind === 'instance' && instanceClass ? { instanceType: instanceClass } : {}),
    ...(kind === 'instance' && multiAz !== undefined ? { multiAz } : {}),
    ...(engine ? { engine } : {}),
    ...(classes ? { members: classes } : {}),
  };
};

/**
 * Every resource tagged `nightshift:schedule` (any value): EC2 instances that are pending,
 * running, stopping or stopped (a tag-key filter, so the number of calls does not grow with
 * the number of untagged instances), Auto Scaling groups (running when their desired
 * capacity or minimum is above 0, stopped when both are 0), DB instances and Aurora clusters.
 * The three services are read at once, every page. Instances of a group and DB instances of
 * a cluster are kept, with `groupName` / `clusterId`: the plan leaves them to their group or
 * cluster and says so. Each keeps the facts its stop or start reports: an instance's type,
 * a group's instance types, a DB instance's class, Multi-AZ and engine, a cluster's engine
 * and member classes (from the DB instances already listed, tagged or not: no more calls).
 *
 * @example
 * const resources = await readScheduled({ ec2, autoscaling, rds });
 */
export const readScheduled = async ({
  ec2,
  autoscaling,
  rds,
}: {
  ec2: EC2Client;
  autoscaling: AutoScalingClient;
  rds: RDSClient;
}): Promise<Scheduled[]> => {
  const [instances, groups, databases] = await Promise.all([
    listInstances(ec2, { tags: { [SCHEDULE_KEY]: null }, states: INSTANCE_STATES }),
    listGroups(autoscaling, { key: SCHEDULE_KEY, value: null }),
    listDatabases(rds),
  ]);
  const members = memberClasses(databases);
  return [
    ...instances.map(fromInstance),
    ...groups.map(fromGroup),
    ...databases
      .filter((database) => database.tags.some((tag) => tag.Key === SCHEDULE_KEY))
      .map((database) => fromDatabase(database, members)),
  ];
};

const cpuQuery = (index: number, instanceId: string): MetricDataQuery => ({
  Id: `cpu${index}`,
  MetricStat: {
    Metric: {
      Namespace: 'AWS/EC2',
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
    },
    Period: PERIOD_SECONDS,
    Stat: 'Maximum',
  },
  ReturnData: true,
});

/**
 * The highest per-minute CPUUtilization maximum of each instance over its own last
 * `minutes` (a datapoint counts when its timestamp is at or after `now - minutes`): one
 * window for all, as long as the longest one asked for, 500 queries per GetMetricData call,
 * every page. No queries, no call. An instance without data in its window is absent from
 * the map. A failed call rejects, so the run fails before it changes anything.
 *
 * @example
 * const cpu = await readCpuMaxima(cloudwatch, [{ id: 'i-1', minutes: 30 }], now);
 * cpu.get('i-1'); // 63.5
 */
export const readCpuMaxima = async (
  cloudwatch: CloudWatchClient,
  queries: readonly BusyQuery[],
  now: Date,
): Promise<Map<string, number>> => {
  const maxima = new Map<string, number>();
  const longest = queries.reduce((most, query) => Math.max(most, query.minutes), 0);
  const startTime = new Date(now.getTime() - longest * MINUTE_MS);
  for (let start = 0; start < queries.length; start += QUERIES_PER_CALL) {
    const chunk = queries.slice(start, start + QUERIES_PER_CALL);
    const byQueryId = new Map(chunk.map((query, index) => [`cpu${start + index}`, query]));
    const pages = paginateGetMetricData(
      { client: cloudwatch },
      {
        MetricDataQueries: chunk.map((query, index) => cpuQuery(start + index, query.id)),
        StartTime: startTime,
        EndTime: now,
      },
    );
    for await (const page of pages) {
      for (const result of page.MetricDataResults ?? []) {
        const query = result.Id === undefined ? undefined : byQueryId.get(result.Id);
        if (!query) continue;
        const since = now.getTime() - query.minutes * MINUTE_MS;
        const timestamps = result.Timestamps ?? [];
        (result.Values ?? []).forEach((value, index) => {
          const at = timestamps[index];
          if (at === undefined || at.getTime() < since) return;
          const highest = maxima.get(query.id);
          if (highest === undefined || value > highest) maxima.set(query.id, value);
        });
      }
    }
  }
  return maxima;
};
