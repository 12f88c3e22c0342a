import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  EC2Client,
  RunInstancesCommand,
  StartInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { localTime } from '@nightshift/schedules';
import {
  type FaultProxy,
  invokeBundle,
  type Moto,
  type MotoServer,
  startFaultProxy,
  startMoto,
} from '@nightshift/testing';
import { LAST_ACTION_KEY, SCHEDULE_KEY } from '../../packages/conventions/src/tags.ts';
import type { ReconcileFigures } from './report.ts';
import { median } from './stats.ts';

/** One reconcile run of infra-scaler over the scheduled instances in the emulator. */
export interface ReconcileRun {
  /** Instances tagged `nightshift:schedule`. */
  instances: number;
  /** Of them, the ones due a transition (a stop). */
  transitions: number;
  /** What the report says was done, failed and left in its due state. */
  done: number;
  failed: number;
  inDueState: number;
  /** The handler call alone. */
  handlerMs: number;
  /** From spawn to exit, cold start included. */
  wallMs: number;
  /** AWS calls the handler made, by API action. */
  calls: Record<string, number>;
  error?: string;
}

const HOUR_MS = 3_600_000;
/** Due running now: the instances that need nothing. */
const STEADY_SCHEDULE = 'office-hours';
/** Due stopped now: the instances whose transition is pending. */
const DUE_STOP_SCHEDULE = 'night-batch';
/** Seeding requests in flight at once. */
const SEED_CONCURRENCY = 4;
/** Instance ids per set-up call (CreateTags, DeleteTags, StartInstances) between runs. */
const SETUP_BATCH = 500;

/**
 * The emulator finds an EC2 resource's tags by scanning every tag of the account, and an
 * instance by copying every reservation: describing n tagged instances costs n² (minutes at
 * 5,000, far beyond the SDK's 20 s request timeout), and so does each id a CreateTags or a
 * RunInstances checks. This looks tags up by the resource's id and finds an instance without
 * the copies: the same answers, in time proportional to n or better. Loaded by the
 * emulator's Python at its start (`sitecustomize`).
 */
const EMULATOR_PATCH = `
from moto.ec2.exceptions import InvalidInstanceIdError
from moto.ec2.models import core as _core
from moto.ec2.models.instances import InstanceBackend as _InstanceBackend
from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix


def _get_tags(self):
    resource_id = self.id
    if not resource_id:
        return []
    tags = self.ec2_backend.tags.get(resource_id) or {}
    resource_type = EC2_PREFIX_TO_RESOURCE.get(get_prefix(resource_id), "")
    return [
        {"resource_id": resource_id, "key": key, "value": value, "resource_type": resource_type}
        for key, value in list(tags.items())
    ]


def _get_instance_by_id(self, instance_id):
    for reservation in list(self.reservations.values()):
        for instance in reservation.instances:
            if instance.id == instance_id:
                return instance
    return None


def _get_instance(self, instance_id):
    instance = _get_instance_by_id(self, instance_id)
    if instance is None:
        raise InvalidInstanceIdError(instance_id)
    return instance


_core.TaggedEC2Resource.get_tags = _get_tags
_InstanceBackend.get_instance_by_id = _get_instance_by_id
_InstanceBackend.get_instance = _get_instance
`;

/**
 * An emulator of its own for this benchmark, with the lookups by id.
 *
 * @example
 * const moto = await startPatchedMoto();
 */
export const startPatchedMoto = async (): Promise<MotoServer> => {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-bench-moto-'));
  writeFileSync(join(dir, 'sitecustomize.py'), EMULATOR_PATCH);
  const previous = process.env.PYTHONPATH;
  process.env.PYTHONPATH = previous ? `${dir}${delimiter}${previous}` : dir;
  try {
    const moto = await startMoto();
    return {
      ...moto,
      stop: async () => {
        await moto.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    if (previous === undefined) delete process.env.PYTHONPATH;
    else process.env.PYTHONPATH = previous;
  }
};

/** `HH:MM` of an instant on the wall clock of a time zone. */
const clock = (instant: Date, timeZone: string): string => {
  const { minutes } = localTime(instant, timeZone);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
};

/**
 * The schedules document, built around `now` so that it holds whenever the benchmark runs:
 * office hours in Berlin that opened two hours ago and close in six (due running), and a
 * batch window in New York that opens in two hours (due stopped). Neither changes within
 * the next half hour, so no heads-up comes into the figures.
 *
 * @example
 * const document = benchSchedules(new Date());
 */
export const benchSchedules = (now: Date) => {
  const berlin = 'Europe/Berlin';
  const newYork = 'America/New_York';
  const at = (hours: number, timeZone: string) =>
    clock(new Date(now.getTime() + hours * HOUR_MS), timeZone);
  return {
    schedules: {
      [STEADY_SCHEDULE]: {
        timezone: berlin,
        periods: [{ start: at(-2, berlin), stop: at(6, berlin) }],
      },
      [DUE_STOP_SCHEDULE]: {
        timezone: newYork,
        periods: [{ start: at(2, newYork), stop: at(5, newYork) }],
      },
    },
  };
};

const chunks = (ids: readonly string[], size: number): string[][] =>
  Array.from({ length: Math.ceil(ids.length / size) }, (_, index) =>
    ids.slice(index * size, (index + 1) * size),
  );

/**
 * Puts `count` running instances into a freshly reset emulator, all on the schedule due
 * running with `nightshift:last-action` already `start@…`: nothing is pending. One instance
 * per RunInstances call: the emulator pages DescribeInstances by reservation, so this keeps
 * its pages as EC2's (at most 1,000 instances), a few requests in flight at once.
 */
const seedSteady = async (moto: Moto, count: number): Promise<string[]> => {
  await moto.reset();
  const ec2 = new EC2Client({});
  const tags: Tag[] = [
    { Key: SCHEDULE_KEY, Value: STEADY_SCHEDULE },
    { Key: LAST_ACTION_KEY, Value: `start@${new Date(Date.now() - HOUR_MS).toISOString()}` },
  ];
  const ids: string[] = [];
  let launched = 0;
  await Promise.all(
    Array.from({ length: SEED_CONCURRENCY }, async () => {
      while (launched < count) {
        launched += 1;
        const { Instances = [] } = await ec2.send(
          new RunInstancesCommand({
            ImageId: 'ami-12c6146b',
            MinCount: 1,
            MaxCount: 1,
            InstanceType: 't3.micro',
            Placement: { AvailabilityZone: 'eu-west-1a' },
            TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
          }),
        );
        const id = Instances[0]?.InstanceId;
        if (!id) throw new Error('RunInstances launched no instance');
        ids.push(id);
      }
    }),
  );
  return ids.sort();
};

/**
 * Makes `ids` due a transition: running, on the schedule due stopped, never acted on
 * (no `nightshift:last-action`), as before the first stop.
 */
const makeDue = async (ids: readonly string[]) => {
  const ec2 = new EC2Client({});
  for (const chunk of chunks(ids, SETUP_BATCH)) {
    await ec2.send(new StartInstancesCommand({ InstanceIds: chunk }));
    await ec2.send(
      new CreateTagsCommand({
        Resources: chunk,
        Tags: [{ Key: SCHEDULE_KEY, Value: DUE_STOP_SCHEDULE }],
      }),
    );
    await ec2.send(new DeleteTagsCommand({ Resources: chunk, Tags: [{ Key: LAST_ACTION_KEY }] }));
  }
};

const difference = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([action, count]) => [action, count - (before[action] ?? 0)] as const)
      .filter(([, count]) => count > 0)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

/**
 * One reconcile run (`{"action":"reconcile"}`) of the built infra-scaler bundle over the
 * instances in the emulator, its AWS calls counted by a pass-through proxy. The schedules
 * come in `SCHEDULES`, built around the real clock at the start of the run.
 *
 * @example
 * const run = await runReconcile({ bundle, proxy, topicArn, instances: 5000, transitions: 0 });
 */
export const runReconcile = async ({
  bundle,
  proxy,
  topicArn,
  instances,
  transitions,
}: {
  bundle: string;
  proxy: FaultProxy;
  topicArn: string;
  instances: number;
  transitions: number;
}): Promise<ReconcileRun> => {
  const before = proxy.stats().forwarded;
  const started = performance.now();
  const invocation = await invokeBundle<{
    done: unknown[];
    failed: unknown[];
    totals?: Record<string, number>;
  }>(
    bundle,
    { action: 'reconcile' },
    {
      env: {
        AWS_ENDPOINT_URL: proxy.endpoint,
        SNS_TOPIC_ARN: topicArn,
        SCHEDULES: JSON.stringify(benchSchedules(new Date())),
      },
      functionName: 'infra-scaler',
      timeoutMs: 900_000,
      sourceMaps: false,
    },
  );
  const wallMs = performance.now() - started;
  return {
    instances,
    transitions,
    done: invocation.result?.done.length ?? 0,
    failed: invocation.result?.failed.length ?? 0,
    inDueState: invocation.result?.totals?.inDueState ?? 0,
    handlerMs: invocation.handlerMs ?? Number.NaN,
    wallMs,
    calls: difference(proxy.stats().forwarded, before),
    ...(invocation.error ? { error: `${invocation.error.name}: ${invocation.error.message}` } : {}),
  };
};

const summarize = (runs: ReconcileRun[]): ReconcileFigures => {
  const first = runs[0];
  const actions = [...new Set(runs.flatMap((run) => Object.keys(run.calls)))].sort();
  const total = (run: ReconcileRun) =>
    Object.values(run.calls).reduce((sum, count) => sum + count, 0);
  return {
    scenario: first && first.transitions > 0 ? 'transitions' : 'nothing due',
    runs: runs.length,
    instances: first?.instances ?? 0,
    transitions: first?.transitions ?? 0,
    done: median(runs.map((run) => run.done)),
    failed: median(runs.map((run) => run.failed)),
    inDueState: median(runs.map((run) => run.inDueState)),
    handlerMs: median(runs.map((run) => run.handlerMs)),
    wallMs: median(runs.map((run) => run.wallMs)),
    calls: median(runs.map(total)),
    callsByAction: Object.fromEntries(
      actions.map((action) => [action, median(runs.map((run) => run.calls[action] ?? 0))]),
    ),
    errors: runs.flatMap((run) => (run.error ? [run.error] : [])),
  };
};

/**
 * The reconcile benchmark on an emulator of its own (with the lookups by id), its AWS
 * calls counted by a pass-through proxy: `runs` runs with nothing due over `smallInstances`
 * scheduled instances, then over `instances`, then `runs` runs of the same `instances` with
 * `transitions` of them made due a stop before each. A run with nothing due writes nothing,
 * so its runs share one seeded set. Medians per scenario. `AWS_ENDPOINT_URL` points at this
 * emulator while it runs, and back afterwards.
 *
 * @example
 * const figures = await measureReconcile({ bundle, runs: 3, instances: 5000, smallInstances: 500, transitions: 1000 });
 */
export const measureReconcile = async ({
  bundle,
  runs,
  instances,
  smallInstances,
  transitions,
  progress = () => undefined,
}: {
  bundle: string;
  runs: number;
  instances: number;
  smallInstances: number;
  transitions: number;
  progress?: (message: string) => void;
}): Promise<ReconcileFigures[]> => {
  const previousEndpoint = process.env.AWS_ENDPOINT_URL;
  const moto = await startPatchedMoto();
  let proxy: FaultProxy | undefined;
  try {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    proxy = await startFaultProxy({ target: moto.endpoint, rate: 0 });
    const measure = async (label: string, seeded: number, due: number, topicArn: string) => {
      const run = await runReconcile({
        bundle,
        proxy: proxy as FaultProxy,
        topicArn,
        instances: seeded,
        transitions: due,
      });
      const total = Object.values(run.calls).reduce((sum, count) => sum + count, 0);
      progress(
        `  ${label}: ${total} AWS calls, ${run.done} done, ${run.inDueState} in their due state, handler ${Math.round(run.handlerMs)} ms${run.error ? ` (${run.error})` : ''}`,
      );
      return run;
    };
    const seed = async (count: number) => {
      const started = performance.now();
      const ids = await seedSteady(moto, count);
      const { TopicArn = '' } = await new SNSClient({}).send(
        new CreateTopicCommand({ Name: 'nightshift-reports' }),
      );
      progress(
        `  seeded ${count} scheduled instances in ${Math.round((performance.now() - started) / 1000)} s`,
      );
      return { ids, topicArn: TopicArn };
    };

    const small = await seed(smallInstances);
    const smallRuns: ReconcileRun[] = [];
    for (let run = 0; run < runs; run += 1) {
      smallRuns.push(
        await measure(
          `nothing due, ${smallInstances} instances`,
          smallInstances,
          0,
          small.topicArn,
        ),
      );
    }

    const large = await seed(instances);
    const largeRuns: ReconcileRun[] = [];
    for (let run = 0; run < runs; run += 1) {
      largeRuns.push(
        await measure(`nothing due, ${instances} instances`, instances, 0, large.topicArn),
      );
    }
    const dueIds = large.ids.slice(0, transitions);
    const transitionRuns: ReconcileRun[] = [];
    for (let run = 0; run < runs; run += 1) {
      await makeDue(dueIds);
      transitionRuns.push(
        await measure(
          `${transitions} transitions, ${instances} instances`,
          instances,
          transitions,
          large.topicArn,
        ),
      );
    }
    return [summarize(smallRuns), summarize(largeRuns), summarize(transitionRuns)];
  } finally {
    await proxy?.stop();
    await moto.stop();
    if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = previousEndpoint;
  }
};
