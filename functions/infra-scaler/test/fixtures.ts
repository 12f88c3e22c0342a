import {
  AutoScalingClient,
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import {
  type DBCluster,
  type DBInstance,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  StartDBClusterCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GROUP_NAME_KEY, tagValue } from '@nightshift/conventions';
import {
  type Database,
  type Ec2Instance,
  listDatabases,
  listGroups,
  listInstances,
  type ScalingGroup,
} from '@nightshift/inventory';
import { type Decision, type Outcomes, type Plan, recordInto, toEntry } from '@nightshift/job';
import { createObservability } from '@nightshift/middleware';
import { createReport, type TimeBudget } from '@nightshift/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, vi } from 'vitest';
import { type ApplyContext, applyScaleDown, applyScaleUp } from '../src/apply.ts';
import { loadConfig } from '../src/config.ts';
import type { ScalerEvent } from '../src/event.ts';
import {
  type Action,
  type Inventory,
  planScaleDown,
  planScaleUp,
  type Scope,
} from '../src/plan.ts';
import { run as runScaler } from '../src/run.ts';

export const ec2Mock = mockClient(EC2Client);
export const asgMock = mockClient(AutoScalingClient);
export const rdsMock = mockClient(RDSClient);
export const cwMock = mockClient(CloudWatchClient);
export const snsMock = mockClient(SNSClient);
export const allMocks = [ec2Mock, asgMock, rdsMock, cwMock, snsMock];

export const now = new Date('2026-11-27T19:00:00Z');
export const plenty: TimeBudget = { remainingMs: () => 600_000, isExhausted: () => false };
export const awsError = (name: string, message = name) =>
  Object.assign(new Error(message), { name });
export const tags = (record: Record<string, string>) =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
export const staging = tags({ Environment: 'staging', AutoScale: 'true' });
export const MARK = 'nightshift:scaled-down';
export const mark = { Key: MARK, Value: '2026-11-26T19:00:00.000Z' };

export const instance = (
  id: string,
  state: string,
  extraTags: { Key: string; Value: string }[] = [],
  baseTags = staging,
): Instance => ({
  InstanceId: id,
  State: { Name: state as 'running' },
  Tags: [...baseTags, ...extraTags],
});

/** An Auto Scaling group with these sizes, tagged for staging unless other tags are given. */
export const group = (
  name: string,
  [min, max, desired]: [number, number, number],
  extraTags: Record<string, string> = {},
  baseTags = staging,
): AutoScalingGroup =>
  ({
    AutoScalingGroupName: name,
    MinSize: min,
    MaxSize: max,
    DesiredCapacity: desired,
    Tags: [...baseTags, ...tags(extraTags)],
  }) as AutoScalingGroup;

/** A group scale_down left at zero, with the sizes it saved. */
export const scaledDownGroup = (name: string, saved: string, baseTags = staging) =>
  group(name, [0, 5, 0], { 'nightshift:saved-size': saved }, baseTags);

export const givenGroups = (...groups: AutoScalingGroup[]) =>
  asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: groups });

/** A DB instance tagged for staging, in this status. */
export const db = (
  id: string,
  status: string,
  extraTags: { Key: string; Value: string }[] = [],
  baseTags = staging,
): DBInstance => ({
  DBInstanceIdentifier: id,
  DBInstanceArn: `arn:${id}`,
  DBInstanceStatus: status,
  TagList: [...baseTags, ...extraTags],
});
/** A DB instance scale_down stopped and marked. */
export const markedDb = (id: string, status = 'stopped', baseTags = staging) =>
  db(id, status, [mark], baseTags);

/**
 * RDS in memory: Describe answers the current statuses (one by identifier, or all);
 * a stop makes a database `stopping`, a start `starting`, and each answers that status.
 * Returns the databases, to change a status between calls.
 */
export const givenDatabases = (instances: DBInstance[], clusters: DBCluster[] = []) => {
  const byId = new Map(instances.map((item) => [item.DBInstanceIdentifier ?? '', { ...item }]));
  const clustersById = new Map(
    clusters.map((item) => [item.DBClusterIdentifier ?? '', { ...item }]),
  );
  rdsMock.on(DescribeDBInstancesCommand).callsFake(async ({ DBInstanceIdentifier }) => ({
    DBInstances: [...byId.values()].filter(
      (item) => !DBInstanceIdentifier || item.DBInstanceIdentifier === DBInstanceIdentifier,
    ),
  }));
  rdsMock.on(DescribeDBClustersCommand).callsFake(async ({ DBClusterIdentifier }) => ({
    DBClusters: [...clustersById.values()].filter(
      (item) => !DBClusterIdentifier || item.DBClusterIdentifier === DBClusterIdentifier,
    ),
  }));
  const move = (id: string, status: string) => {
    const found = byId.get(id);
    if (found) found.DBInstanceStatus = status;
    return { DBInstance: found };
  };
  const moveCluster = (id: string, status: string) => {
    const found = clustersById.get(id);
    if (found) found.Status = status;
    return { DBCluster: found };
  };
  rdsMock
    .on(StopDBInstanceCommand)
    .callsFake(async ({ DBInstanceIdentifier }) => move(DBInstanceIdentifier, 'stopping'));
  rdsMock
    .on(StartDBInstanceCommand)
    .callsFake(async ({ DBInstanceIdentifier }) => move(DBInstanceIdentifier, 'starting'));
  rdsMock
    .on(StopDBClusterCommand)
    .callsFake(async ({ DBClusterIdentifier }) => moveCluster(DBClusterIdentifier, 'stopping'));
  rdsMock
    .on(StartDBClusterCommand)
    .callsFake(async ({ DBClusterIdentifier }) => moveCluster(DBClusterIdentifier, 'starting'));
  return { instances: byId, clusters: clustersById };
};

/** DescribeInstances with filters (the listing) answers these instances. */
export const givenInstances = (...instances: Instance[]) =>
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: instances }] });

/**
 * DescribeInstances by id (how a run reads instances again) answers these states, in turn
 * (the last one from then on); a `stopped` instance carries EC2's reason.
 */
export const givenStatesById = (...polls: Record<string, string>[]) => {
  let stub = ec2Mock.on(DescribeInstancesCommand, { Filters: undefined });
  const answer = (states: Record<string, string>) => ({
    Reservations: [
      {
        Instances: Object.entries(states).map(([id, state]) => ({
          ...instance(id, state, [mark]),
          ...(state === 'stopped'
            ? {
                StateReason: {
                  Code: 'Client.InternalError',
                  Message: 'Client.InternalError: Client error on launch',
                },
              }
            : {}),
        })),
      },
    ],
  });
  for (const states of polls.slice(0, -1)) stub = stub.resolvesOnce(answer(states));
  stub.resolves(answer(polls.at(-1) ?? {}));
};

export const instanceIdsOf = (mock: typeof ec2Mock) =>
  mock
    .commandCalls(DescribeInstancesCommand)
    .map((call) => call.args[0].input.InstanceIds)
    .filter((ids) => ids !== undefined);

export const sentNames = (mock: { calls: () => { args: unknown[] }[] }) =>
  mock.calls().map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name);

/** Every command any client sent. */
export const everySent = () => allMocks.flatMap((mock) => sentNames(mock));

export const sleep = vi.fn(async (_ms: number) => undefined);

/** The instance as @nightshift/inventory lists it (what the planners read). */
export const ec2Instance = (...args: Parameters<typeof instance>): Ec2Instance => {
  const { InstanceId = '', State, Tags = [] } = instance(...args);
  const groupName = tagValue(Tags, GROUP_NAME_KEY);
  return {
    id: InstanceId,
    state: State?.Name ?? 'unknown',
    tags: Tags,
    ...(groupName ? { groupName } : {}),
  };
};

/** The group as @nightshift/inventory lists it. */
export const scalingGroup = (...args: Parameters<typeof group>): ScalingGroup => {
  const found = group(...args);
  return {
    name: found.AutoScalingGroupName ?? '',
    size: { min: found.MinSize ?? 0, max: found.MaxSize ?? 0, desired: found.DesiredCapacity ?? 0 },
    tags: found.Tags ?? [],
    instanceTypes: (found.Instances ?? []).flatMap(({ InstanceType }) =>
      InstanceType ? [InstanceType] : [],
    ),
  };
};

/** A group scale_down left at zero, as @nightshift/inventory lists it. */
export const scaledDownScalingGroup = (...args: Parameters<typeof scaledDownGroup>) =>
  scalingGroup(args[0], [0, 5, 0], { 'nightshift:saved-size': args[1] }, args[2]);

/** The DB instance as @nightshift/inventory lists it. */
export const database = (...args: Parameters<typeof db>): Database => {
  const found = db(...args);
  return {
    kind: 'instance',
    id: found.DBInstanceIdentifier ?? '',
    arn: found.DBInstanceArn ?? '',
    status: found.DBInstanceStatus ?? 'unknown',
    tags: found.TagList ?? [],
  };
};

/** A DB instance scale_down stopped and marked, as @nightshift/inventory lists it. */
export const markedDatabase = (id: string, status = 'stopped', baseTags = staging) =>
  database(id, status, [mark], baseTags);

/** An Aurora cluster tagged for staging (and more), as @nightshift/inventory lists it. */
export const cluster = (id: string, status: string, extraTags: typeof staging = []): Database => ({
  kind: 'cluster',
  id,
  arn: `arn:${id}`,
  status,
  tags: [...staging, ...extraTags],
});

/** The run's scope: staging, with the default tag keys. */
export const scope: Scope = {
  environment: 'staging',
  environmentTagKey: 'Environment',
  autoScaleTagKey: 'AutoScale',
  autoScaleTagValue: 'true',
};

/** What the appliers are given: the mocked clients, the fixed time, and a sleep that returns at once. */
export const applyContext = (budget = plenty): ApplyContext => ({
  ec2: new EC2Client({}),
  autoscaling: new AutoScalingClient({}),
  rds: new RDSClient({}),
  now,
  budget,
  concurrency: 5,
  sleep,
});

/** What the mocked clients answer, as @nightshift/inventory lists it (every filter is ignored). */
const listed = async (): Promise<Inventory> => {
  const [instances, groups, databases] = await Promise.all([
    listInstances(new EC2Client({}), { tags: {}, states: [] }),
    listGroups(new AutoScalingClient({}), { key: 'Environment', value: 'staging' }),
    listDatabases(new RDSClient({})),
  ]);
  return { instances, groups, databases };
};

/**
 * Plans from what the mocked clients list, then applies the changes, into one report as a
 * run makes it (planned, skipped and failed from the plan, then each outcome); and the
 * applier's counts (a run's metrics).
 */
const planAndApply =
  <C extends Decision<Action>, N>(
    plan: (inventory: Inventory, scope: Scope) => Plan<Action, C>,
    apply: (changes: C[], outcomes: Outcomes<Action>, context: ApplyContext) => Promise<N>,
  ) =>
  async (budget = plenty) => {
    const planned = plan(await listed(), scope);
    const report = createReport('infra-scaler', { dryRun: false, now });
    report.planned.push(...planned.changes.map((change) => toEntry(change)));
    report.skipped.push(...planned.skips.map((skip) => toEntry(skip)));
    report.failed.push(...planned.problems.map((problem) => toEntry(problem)));
    const counts = await apply(planned.changes, recordInto<Action>(report), applyContext(budget));
    return { report, counts };
  };

/** scale_down of what the mocked clients list: planned, then applied. */
export const scaleDown = planAndApply(planScaleDown, applyScaleDown);
/** scale_up of what the mocked clients list: planned, then applied. */
export const scaleUp = planAndApply(planScaleUp, applyScaleUp);

/** Every client a run takes, each answered by the test's aws-sdk-client-mock mocks. */
export const clients = () => ({
  ec2: new EC2Client({}),
  autoscaling: new AutoScalingClient({}),
  rds: new RDSClient({}),
  cloudwatch: new CloudWatchClient({}),
  sns: new SNSClient({}),
  dynamodb: new DynamoDBClient({}),
  secretsManager: new SecretsManagerClient({}),
});

/** One run through `run`, with the clients mocked; the report and the metrics spy. */
export const run = async (
  event: ScalerEvent,
  env: Record<string, string> = {},
  budget = plenty,
) => {
  const observability = createObservability('infra-scaler');
  const addMetric = vi.spyOn(observability.metrics, 'addMetric');
  const deps = { sleep, ...clients(), ...observability, now: () => now };
  const report = await runScaler(
    deps,
    loadConfig({ SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:r', ...env }),
    event,
    budget,
  );
  return { report, addMetric };
};

/** The metrics a run emitted, by name. */
export const metricsOf = (addMetric: { mock: { calls: unknown[][] } }) =>
  Object.fromEntries(addMetric.mock.calls.map(([name, , value]) => [name, value]));

export const resetMocks = () => {
  sleep.mockClear();
  for (const mock of allMocks) mock.reset();
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
  rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
  rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
};

beforeEach(resetMocks);
