import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  paginateQuery,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LAST_ACTION_KEY, SCHEDULE_KEY } from '@nightshift/conventions';
import { createKeyedTable, type MotoServer, startMoto } from '@nightshift/testing';
import type { MemoryInstance } from './ec2Endpoint.ts';
import type { FanoutRunResult, FanoutRunSettings } from './fanoutRun.ts';
import {
  type CallKind,
  type MemorySnapshot,
  type OrgEndpoint,
  startOrgEndpoint,
  type TargetSeed,
} from './orgEndpoint.ts';
import { benchSchedules } from './reconcile.ts';
import type { FanoutFigures, FanoutRow, FanoutScenario } from './report.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** The hub's Region: one of the target Regions. */
const HUB_REGION = 'eu-west-1';
export const FANOUT_REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'] as const;
/** The schedule of `benchSchedules` that is due running now. */
const STEADY_SCHEDULE = 'office-hours';
/** Ages of each volume's five snapshots, in days: two of five past the default 30-day retention. */
export const SNAPSHOT_AGES_DAYS = [3, 10, 20, 40, 60] as const;
/** `RETENTION_DAYS`' default. */
export const RETENTION_DAYS = 30;
const FANOUT_MAX_RECEIVE_COUNT = 3;
const TABLE = 'nightshift-bench-runs';

/**
 * The 12-digit ids of `count` target accounts, none of them the hub's.
 *
 * @example
 * targetAccounts(2); // ['200000000001', '200000000002']
 */
export const targetAccounts = (count: number): string[] =>
  Array.from({ length: count }, (_, index) => String(200_000_000_001 + index));

/**
 * One target's snapshots for a cleanup: `volumes` volumes that exist, each with one
 * snapshot at each age of `SNAPSHOT_AGES_DAYS` (five per volume, so 20 volumes make 100
 * snapshots), the ones older than `RETENTION_DAYS` due (40 of 100). None is a volume's
 * newest, none is kept by a tag or an AMI.
 *
 * @example
 * const { snapshots, volumeIds, due } = cleanupSeed(new Date(), 20); // 100 snapshots, due 40
 */
export const cleanupSeed = (
  now: Date,
  volumes: number,
): Required<Pick<TargetSeed, 'volumeIds'>> & { snapshots: MemorySnapshot[]; due: number } => {
  const volumeIds = Array.from(
    { length: volumes },
    (_, index) => `vol-${index.toString(16).padStart(17, '0')}`,
  );
  const snapshots = volumeIds.flatMap((volumeId, volume) =>
    SNAPSHOT_AGES_DAYS.map((days, age) => ({
      id: `snap-${(volume * SNAPSHOT_AGES_DAYS.length + age).toString(16).padStart(17, '0')}`,
      volumeId,
      sizeGiB: 8,
      startTime: new Date(now.getTime() - days * DAY_MS),
    })),
  );
  const due = snapshots.filter(
    (snapshot) => now.getTime() - snapshot.startTime.getTime() > RETENTION_DAYS * DAY_MS,
  ).length;
  return { volumeIds, snapshots, due };
};

/** `count` running instances on the schedule due running, already started by Nightshift: nothing due. */
const steadyInstances = (count: number, now: Date): MemoryInstance[] => {
  const lastAction = `start@${new Date(now.getTime() - HOUR_MS).toISOString()}`;
  return Array.from({ length: count }, (_, index) => ({
    id: `i-${index.toString(16).padStart(17, '0')}`,
    state: 'running',
    instanceType: 't3.micro',
    tags: { [SCHEDULE_KEY]: STEADY_SCHEDULE, [LAST_ACTION_KEY]: lastAction },
  }));
};

/**
 * The calls of a run per target, by action: the counts divided by the number of targets.
 *
 * @example
 * perTarget({ 'ec2:DescribeInstances': 200 }, 200); // { 'ec2:DescribeInstances': 1 }
 */
export const perTarget = (calls: Record<string, number>, targets: number): Record<string, number> =>
  Object.fromEntries(
    Object.entries(calls)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([action, count]) => [action, count / targets]),
  );

const add = (...counts: (Record<string, number> | undefined)[]): Record<string, number> => {
  const total: Record<string, number> = {};
  for (const each of counts) {
    for (const [action, count] of Object.entries(each ?? {})) {
      total[action] = (total[action] ?? 0) + count;
    }
  }
  return total;
};

const sumOf = (calls: Record<string, number>) =>
  Object.values(calls).reduce((total, count) => total + count, 0);

/** The run's header and the sum of one total over its target items, read from the runs table. */
const readRun = async (dynamodb: DynamoDBClient, runId: string, total: string) => {
  const pk = { S: `run#${runId}` };
  const { Item: header = {} } = await dynamodb.send(
    new GetItemCommand({ TableName: TABLE, Key: { pk, sk: { S: 'run' } }, ConsistentRead: true }),
  );
  const number = (value: AttributeValue | undefined) => Number(value?.N ?? Number.NaN);
  let sum = 0;
  let done = 0;
  let failed = 0;
  const pages = paginateQuery(
    { client: dynamodb },
    {
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :target)',
      ExpressionAttributeValues: { ':pk': pk, ':target': { S: 'target#' } },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      sum += Number(item.totals?.M?.[total]?.N ?? 0);
      if (item.status?.S === 'done') done += 1;
      if (item.status?.S === 'failed') failed += 1;
    }
  }
  return {
    expected: number(header.expected),
    completed: number(header.completed),
    summaryPublished: header.summaryAt !== undefined,
    done,
    failed,
    sum,
  };
};

/** Runs the child process of one configuration; its output is kept for the error. */
const runChild = (script: string, env: NodeJS.ProcessEnv): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const keep = (chunk: Buffer) => {
      tail.push(chunk.toString('utf8'));
      if (tail.length > 20) tail.shift();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`the run exited with ${code}: ${tail.join('').slice(-2_000)}`)),
    );
  });

interface Scenario {
  scenario: FanoutScenario;
  functionName: 'infra-scaler' | 'snapshot-cleanup';
  event: Record<string, unknown>;
  /** The target total that shows the job's work, and its expected value per target. */
  total: string;
  perTargetTotal: number;
  seed: (now: Date) => TargetSeed;
  env: (now: Date) => Record<string, string>;
}

/**
 * The fan-out benchmark: `accounts` × `FANOUT_REGIONS` targets served by `startOrgEndpoint`
 * (every AWS call delayed `latencyMs`, EC2 and STS per account from memory, the rest on an
 * emulator of this part's own), and for each scenario — infra-scaler's reconcile with
 * nothing due over `instances` instances per target, snapshot-cleanup over `volumes × 5`
 * snapshots per target — one run per concurrency: the built bundle in a process of its own
 * dispatches, then the queue is drained by that many workers calling the same handler.
 * At concurrency 1 only the first `oneAccounts` accounts are targets (it is the slowest).
 *
 * @example
 * const figures = await measureFanout({ bundle: (name) => `dist/${name}/index.mjs`, accounts: 50, oneAccounts: 10, concurrencies: [1, 10, 50], latencyMs: 50, instances: 50, volumes: 20 });
 */
export const measureFanout = async ({
  bundle,
  accounts,
  oneAccounts,
  concurrencies,
  latencyMs,
  instances,
  volumes,
  progress = () => undefined,
}: {
  bundle: (name: string) => string;
  accounts: number;
  oneAccounts: number;
  concurrencies: readonly number[];
  latencyMs: number;
  instances: number;
  volumes: number;
  progress?: (message: string) => void;
}): Promise<Omit<FanoutFigures, 'extrapolateTo' | 'defaultConcurrency'>> => {
  const moto: MotoServer = await startMoto();
  let org: OrgEndpoint | undefined;
  const work = mkdtempSync(join(tmpdir(), 'nightshift-fanout-'));
  const direct = {
    endpoint: moto.endpoint,
    region: HUB_REGION,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  };
  const sqs = new SQSClient(direct);
  const dynamodb = new DynamoDBClient(direct);
  const sns = new SNSClient(direct);
  try {
    const served = await startOrgEndpoint({ upstream: moto.endpoint, latencyMs });
    org = served;
    const { TopicArn = '' } = await sns.send(
      new CreateTopicCommand({ Name: 'nightshift-reports' }),
    );
    await createKeyedTable(dynamodb, TABLE);

    const scenarios: Scenario[] = [
      {
        scenario: 'reconcile, nothing due',
        functionName: 'infra-scaler',
        event: { action: 'reconcile' },
        total: 'inDueState',
        perTargetTotal: instances,
        seed: (now) => ({ instances: steadyInstances(instances, now) }),
        env: (now) => ({ SCHEDULES: JSON.stringify(benchSchedules(now)) }),
      },
      {
        scenario: 'full snapshot cleanup',
        functionName: 'snapshot-cleanup',
        event: {},
        total: 'deleted',
        perTargetTotal: cleanupSeed(new Date(), volumes).due,
        seed: (now) => cleanupSeed(now, volumes),
        env: () => ({ RETENTION_DAYS: String(RETENTION_DAYS) }),
      },
    ];

    const rows: FanoutRow[] = [];
    for (const scenario of scenarios) {
      for (const concurrency of concurrencies) {
        const accountIds = targetAccounts(concurrency === 1 ? oneAccounts : accounts);
        const targets = accountIds.length * FANOUT_REGIONS.length;
        const now = new Date();
        await org.reset();
        for (const accountId of accountIds) {
          for (const region of FANOUT_REGIONS)
            await org.seed(accountId, region, scenario.seed(now));
        }
        const name = `fanout-${scenario.functionName}-${concurrency}`;
        const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
        const { Attributes: dlqAttributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
        );
        const queue = await sqs.send(
          new CreateQueueCommand({
            QueueName: name,
            Attributes: {
              VisibilityTimeout: '900',
              RedrivePolicy: JSON.stringify({
                deadLetterTargetArn: dlqAttributes.QueueArn,
                maxReceiveCount: FANOUT_MAX_RECEIVE_COUNT,
              }),
            },
          }),
        );
        const { Attributes: queueAttributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }),
        );
        // The function's queue calls go through the endpoint (SQS sends them to the queue URL's host).
        const motoQueueUrl = queue.QueueUrl ?? '';
        const queueUrl = `${org.endpoint}${new URL(motoQueueUrl).pathname}`;
        const resultFile = join(work, `${name}.json`);
        const run: FanoutRunSettings = {
          bundle: bundle(scenario.functionName),
          functionName: scenario.functionName,
          event: scenario.event,
          workers: concurrency,
          endpoint: org.endpoint,
          queueUrl: motoQueueUrl,
          queueArn: queueAttributes.QueueArn ?? '',
          resultFile,
        };
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          AWS_ENDPOINT_URL: org.endpoint,
          AWS_REGION: HUB_REGION,
          AWS_ACCESS_KEY_ID: 'bench',
          AWS_SECRET_ACCESS_KEY: 'bench',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_LAMBDA_FUNCTION_NAME: scenario.functionName,
          POWERTOOLS_LOG_LEVEL: 'WARN',
          TARGET_ACCOUNTS: accountIds.join(','),
          TARGET_REGIONS: FANOUT_REGIONS.join(','),
          SPOKE_ROLE_NAME: 'nightshift-bench-spoke',
          FANOUT_QUEUE_URL: queueUrl,
          RUNS_TABLE: TABLE,
          SNS_TOPIC_ARN: TopicArn,
          FANOUT_MAX_RECEIVE_COUNT: String(FANOUT_MAX_RECEIVE_COUNT),
          BENCH_FANOUT_RUN: JSON.stringify(run),
          ...scenario.env(now),
        };
        for (const variable of Object.keys(env)) {
          if (variable.startsWith('AWS_ENDPOINT_URL_')) delete env[variable];
        }
        delete env.NODE_OPTIONS;
        progress(
          `  ${scenario.functionName}, ${targets} targets, concurrency ${concurrency}: running`,
        );
        const errors: string[] = [];
        let result: FanoutRunResult | undefined;
        try {
          await runChild(join(import.meta.dirname, 'fanoutRun.ts'), env);
          result = JSON.parse(readFileSync(resultFile, 'utf8')) as FanoutRunResult;
        } catch (error) {
          errors.push((error as Error).message);
        }
        const calls = org.calls();
        const upstream = org.upstreamMs();
        const emulatorErrors = add(org.upstreamErrors().dispatch, org.upstreamErrors().drain);
        const of = (phase: string, kind: CallKind) => calls[phase]?.[kind] ?? {};
        const jobCalls = add(of('dispatch', 'job'), of('drain', 'job'));
        const fanoutCalls = add(of('dispatch', 'fanout'), of('drain', 'fanout'));
        const runId = result?.dispatched.runId;
        const state = runId
          ? await readRun(dynamodb, runId, scenario.total)
          : { expected: 0, completed: 0, summaryPublished: false, done: 0, failed: 0, sum: 0 };
        const { Attributes: dead = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: dlq.QueueUrl,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        );
        const snapshotsLeft =
          scenario.functionName === 'snapshot-cleanup'
            ? accountIds.reduce(
                (total, accountId) =>
                  total +
                  FANOUT_REGIONS.reduce(
                    (sum, region) => sum + served.snapshotsOf(accountId, region).length,
                    0,
                  ),
                0,
              )
            : undefined;
        const dispatchSeconds = (result?.dispatchMs ?? Number.NaN) / 1000;
        const drainSeconds = (result?.drainMs ?? Number.NaN) / 1000;
        const row: FanoutRow = {
          functionName: scenario.functionName,
          scenario: scenario.scenario,
          concurrency,
          accounts: accountIds.length,
          targets,
          dispatchSeconds,
          drainSeconds,
          wallSeconds: dispatchSeconds + drainSeconds,
          drainCpuSeconds: (result?.drainCpuMs ?? Number.NaN) / 1000,
          invocations: result?.invocations ?? 0,
          redelivered: result?.failures ?? 0,
          deadLettered: Number(dead.ApproximateNumberOfMessages ?? 0),
          expected: state.expected,
          counted: state.completed,
          done: state.done,
          failed: state.failed,
          summaryPublished: state.summaryPublished,
          total: scenario.total,
          totalSum: state.sum,
          totalExpected: scenario.perTargetTotal * targets,
          ...(snapshotsLeft === undefined ? {} : { snapshotsLeft }),
          jobCalls,
          fanoutCalls,
          dispatchCalls: sumOf(add(of('dispatch', 'job'), of('dispatch', 'fanout'))),
          jobCallsPerTarget: sumOf(jobCalls) / targets,
          fanoutCallsPerTarget: sumOf(fanoutCalls) / targets,
          emulatorSeconds: ((upstream.dispatch ?? 0) + (upstream.drain ?? 0)) / 1000,
          emulatorErrors,
          errors,
        };
        progress(
          `  ${scenario.functionName}, ${targets} targets, concurrency ${concurrency}: ${row.wallSeconds.toFixed(1)} s (dispatch ${dispatchSeconds.toFixed(1)} s), ${row.done} done, ${row.failed} failed, ${scenario.total} ${row.totalSum}/${row.totalExpected}${errors.length > 0 ? `; ${errors.join('; ')}` : ''}`,
        );
        rows.push(row);
      }
    }
    return {
      latencyMs,
      accounts,
      oneAccounts,
      regions: [...FANOUT_REGIONS],
      instancesPerTarget: instances,
      snapshotsPerTarget: volumes * SNAPSHOT_AGES_DAYS.length,
      dueSnapshotsPerTarget: cleanupSeed(new Date(), volumes).due,
      rows,
    };
  } finally {
    sqs.destroy();
    dynamodb.destroy();
    sns.destroy();
    await org?.stop();
    await moto.stop();
    rmSync(work, { recursive: true, force: true });
  }
};
