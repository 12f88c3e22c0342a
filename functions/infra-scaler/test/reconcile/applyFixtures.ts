import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand as DeleteGroupTagsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  EC2Client,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  RemoveTagsFromResourceCommand,
  StartDBClusterCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import type { GroupSize } from '@nightshift/inventory';
import { recordInto } from '@nightshift/job';
import { createReport, type TimeBudget } from '@nightshift/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, vi } from 'vitest';
import { applyReconcile, type ReconcileContext } from '../../src/reconcile/apply.ts';
import type {
  ReconcileAction,
  ReconcileChange,
  Scheduled,
  ScheduledKind,
} from '../../src/reconcile/types.ts';

export const ec2Mock = mockClient(EC2Client);
export const asgMock = mockClient(AutoScalingClient);
export const rdsMock = mockClient(RDSClient);

export const now = new Date('2026-11-27T19:00:00.000Z');
export const STOP_AT = 'stop@2026-11-27T19:00:00.000Z';
export const START_AT = 'start@2026-11-27T19:00:00.000Z';
export const LAST_ACTION = 'nightshift:last-action';
export const LAST_ERROR = 'nightshift:last-error';
export const SNOOZE = 'nightshift:snooze-until';
export const SAVED_SIZE = 'nightshift:saved-size';
export const KMS_REASON = 'Client.InternalError: Client error on launch';

export const budgetOf = (ms: number): TimeBudget => ({
  remainingMs: () => ms,
  isExhausted: () => ms === 0,
});
export const plenty = budgetOf(600_000);
export const sleep = vi.fn(async (_ms: number) => undefined);

export const awsError = (name: string, message = name) =>
  Object.assign(new Error(message), { name });

/** What the clients changed, in the order they were asked, across EC2, Auto Scaling and RDS. */
export const changed: string[] = [];

type ChangeAction = Exclude<ReconcileAction, 'leave'>;

/**
 * A change as the plan makes it: a stop is due stopped, a start due running; a Record or
 * ClearSnooze needs its `due`.
 */
export const change = (
  action: ChangeAction,
  kind: ScheduledKind,
  id: string,
  extra: Partial<Omit<ReconcileChange, 'resource'>> & { resource?: Partial<Scheduled> } = {},
): ReconcileChange => {
  const { resource, ...rest } = extra;
  return {
    action,
    target: id,
    reason: 'due',
    schedule: 'office-hours',
    order: 0,
    due: action === 'start' ? 'running' : 'stopped',
    clearSnooze: false,
    ...rest,
    resource: {
      kind,
      id,
      ...(kind.startsWith('db-') ? { arn: `arn:aws:rds:eu-central-1:111122223333:${id}` } : {}),
      state: action === 'start' ? 'stopped' : 'running',
      tags: [],
      ...resource,
    },
  };
};

type Extra = Parameters<typeof change>[3];
export const stopInstance = (id: string, extra?: Extra) => change('stop', 'instance', id, extra);
export const startInstance = (id: string, extra?: Extra) => change('start', 'instance', id, extra);
export const arnOf = (id: string) => `arn:aws:rds:eu-central-1:111122223333:${id}`;
export const size = (min: number, max: number, desired: number): GroupSize => ({
  min,
  max,
  desired,
});

/**
 * EC2 in memory: DescribeInstances by id answers what `givenStates` scripted (in turn, the
 * last from then on), else what the last stop or start made of the instance.
 */
const scripted = new Map<string, string[]>();
const reasons = new Map<string, string>();
const lastCall = new Map<string, string>();
export const givenStates = (
  states: Record<string, string[]>,
  reasonById: Record<string, string> = {},
) => {
  for (const [id, sequence] of Object.entries(states)) scripted.set(id, [...sequence]);
  for (const [id, reason] of Object.entries(reasonById)) reasons.set(id, reason);
};
const next = (id: string, fallback: string): string => {
  const sequence = scripted.get(id);
  if (!sequence) return lastCall.get(id) ?? fallback;
  return (sequence.length > 1 ? sequence.shift() : sequence[0]) as string;
};

beforeEach(() => {
  for (const mock of [ec2Mock, asgMock, rdsMock]) mock.reset();
  sleep.mockClear();
  changed.length = 0;
  scripted.clear();
  reasons.clear();
  lastCall.clear();
  const act = (verb: string, state: string) => async (input: { InstanceIds?: string[] }) => {
    changed.push(`${verb} ${(input.InstanceIds ?? []).join(',')}`);
    for (const id of input.InstanceIds ?? []) lastCall.set(id, state);
    return {};
  };
  ec2Mock.on(StopInstancesCommand).callsFake(act('stop', 'stopped'));
  ec2Mock.on(StartInstancesCommand).callsFake(act('start', 'running'));
  ec2Mock.on(CreateTagsCommand).resolves({});
  ec2Mock.on(DeleteTagsCommand).resolves({});
  ec2Mock.on(DescribeInstancesCommand).callsFake(async ({ InstanceIds = [] }) => {
    changed.push(`describe ${InstanceIds.join(',')}`);
    return {
      Reservations: [
        {
          Instances: InstanceIds.map((id: string) => {
            const state = next(id, 'running');
            const reason = reasons.get(id);
            return {
              InstanceId: id,
              State: { Name: state },
              ...(reason && state === 'stopped' ? { StateReason: { Message: reason } } : {}),
            };
          }),
        },
      ],
    };
  });

  asgMock.on(UpdateAutoScalingGroupCommand).callsFake(async (input) => {
    changed.push(`size ${input.AutoScalingGroupName} ${input.MinSize}/${input.DesiredCapacity}`);
    return {};
  });
  asgMock.on(CreateOrUpdateTagsCommand).resolves({});
  asgMock.on(DeleteGroupTagsCommand).resolves({});

  const db = (verb: string, state: string) => async (input: Record<string, string>) => {
    const id = input.DBInstanceIdentifier ?? input.DBClusterIdentifier ?? '';
    changed.push(`${verb} ${id}`);
    lastCall.set(id, state);
    return {};
  };
  rdsMock.on(StopDBInstanceCommand).callsFake(db('stop', 'stopped'));
  rdsMock.on(StartDBInstanceCommand).callsFake(db('start', 'available'));
  rdsMock.on(StopDBClusterCommand).callsFake(db('stop', 'stopped'));
  rdsMock.on(StartDBClusterCommand).callsFake(db('start', 'available'));
  rdsMock.on(DescribeDBInstancesCommand).callsFake(async ({ DBInstanceIdentifier }) => {
    changed.push(`describe ${DBInstanceIdentifier}`);
    return {
      DBInstances: [
        { DBInstanceIdentifier, DBInstanceStatus: next(DBInstanceIdentifier, 'available') },
      ],
    };
  });
  rdsMock.on(DescribeDBClustersCommand).callsFake(async ({ DBClusterIdentifier }) => {
    changed.push(`describe ${DBClusterIdentifier}`);
    return {
      DBClusters: [{ DBClusterIdentifier, Status: next(DBClusterIdentifier, 'available') }],
    };
  });
  rdsMock.on(AddTagsToResourceCommand).resolves({});
  rdsMock.on(RemoveTagsFromResourceCommand).resolves({});
});

/** Runs `applyReconcile` with mocked clients, a sleep that returns at once and plenty of time. */
export const apply = async (
  changes: ReconcileChange[],
  context: Partial<ReconcileContext> = {},
) => {
  const report = createReport('infra-scaler', { dryRun: false, now });
  const counts = await applyReconcile(changes, recordInto<ReconcileAction>(report), {
    ec2: new EC2Client({ region: 'eu-central-1' }),
    autoscaling: new AutoScalingClient({ region: 'eu-central-1' }),
    rds: new RDSClient({ region: 'eu-central-1' }),
    now,
    budget: plenty,
    concurrency: 2,
    sleep,
    ...context,
  });
  return { report, counts };
};

export const ZERO_COUNTS = {
  InstancesStopped: 0,
  InstancesStarted: 0,
  GroupsScaled: 0,
  DatabasesStopped: 0,
  DatabasesStarted: 0,
};
