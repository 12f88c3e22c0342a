import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { LAST_ACTION_KEY, SCHEDULE_KEY } from '@nightshift/conventions';
import {
  type FaultProxy,
  invokeBundle,
  type MotoServer,
  startFaultProxy,
  startMoto,
} from '@nightshift/testing';
import { clock } from '../demo/schedules.ts';
import { type InstantEc2, type MemoryInstance, startInstantEc2 } from './ec2Endpoint.ts';
import type { ReconcileFigures } from './report.ts';
import { difference, median } from './stats.ts';

/** One reconcile run of infra-scaler over the scheduled instances in memory. */
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

/**
 * Puts `count` running instances into the in-memory EC2, replacing what it held, all on the
 * schedule due running with `nightshift:last-action` already `start@…`: nothing is pending.
 * Their ids are in order, so the first ones are the ones made due later.
 */
const seedSteady = (ec2: InstantEc2, count: number): string[] => {
  const lastAction = `start@${new Date(Date.now() - HOUR_MS).toISOString()}`;
  const instances: MemoryInstance[] = Array.from({ length: count }, (_, index) => ({
    id: `i-${index.toString(16).padStart(17, '0')}`,
    state: 'running',
    instanceType: 't3.micro',
    tags: { [SCHEDULE_KEY]: STEADY_SCHEDULE, [LAST_ACTION_KEY]: lastAction },
  }));
  ec2.clear();
  ec2.put(instances);
  return instances.map((instance) => instance.id);
};

/**
 * Makes `ids` due a transition: running, on the schedule due stopped, never acted on
 * (no `nightshift:last-action`), as before the first stop. Written into memory: no calls.
 */
const makeDue = (ec2: InstantEc2, ids: readonly string[]) => {
  ec2.put(
    ids.flatMap((id) => {
      const instance = ec2.get(id);
      if (!instance) return [];
      const { [LAST_ACTION_KEY]: _lastAction, ...tags } = instance.tags;
      return [
        { ...instance, state: 'running', tags: { ...tags, [SCHEDULE_KEY]: DUE_STOP_SCHEDULE } },
      ];
    }),
  );
};

const sum = (...counts: Record<string, number>[]): Record<string, number> => {
  const total: Record<string, number> = {};
  for (const each of counts) {
    for (const [action, count] of Object.entries(each))
      total[action] = (total[action] ?? 0) + count;
  }
  return total;
};

/**
 * One reconcile run (`{"action":"reconcile"}`) of the built infra-scaler bundle over the
 * instances in the in-memory EC2 (`AWS_ENDPOINT_URL_EC2`), its other services on the
 * emulator behind a pass-through proxy (`AWS_ENDPOINT_URL`); its AWS calls are the EC2
 * endpoint's count and the proxy's together, by action. The schedules come in `SCHEDULES`,
 * built around the real clock at the start of the run.
 *
 * @example
 * const run = await runReconcile({ bundle, ec2, proxy, topicArn, instances: 5000, transitions: 0 });
 */
export const runReconcile = async ({
  bundle,
  ec2,
  proxy,
  topicArn,
  instances,
  transitions,
}: {
  bundle: string;
  ec2: InstantEc2;
  proxy: FaultProxy;
  topicArn: string;
  instances: number;
  transitions: number;
}): Promise<ReconcileRun> => {
  const before = sum(proxy.stats().forwarded, ec2.calls());
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
        AWS_ENDPOINT_URL_EC2: ec2.endpoint,
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
    calls: difference(sum(proxy.stats().forwarded, ec2.calls()), before),
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
 * The reconcile benchmark: EC2 served from memory (the emulator's instance and tag lookups
 * grow with the account's tags, minutes per describe at 5,000 instances), the other services
 * by an emulator of its own behind a pass-through proxy, every AWS call counted by action:
 * `runs` runs with nothing due over `smallInstances` scheduled instances, then over
 * `instances`, then `runs` runs of the same `instances` with `transitions` of them made due
 * a stop before each. The instances are put into memory, without calls. A run with nothing
 * due writes nothing, so its runs share one seeded set. Medians per scenario.
 * `AWS_ENDPOINT_URL` points at the emulator while it runs (for the set-up here), and back
 * afterwards.
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
  const moto: MotoServer = await startMoto();
  let proxy: FaultProxy | undefined;
  let ec2: InstantEc2 | undefined;
  try {
    ec2 = await startInstantEc2();
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    proxy = await startFaultProxy({ target: moto.endpoint, rate: 0 });
    const measure = async (label: string, seeded: number, due: number, topicArn: string) => {
      const run = await runReconcile({
        bundle,
        ec2: ec2 as InstantEc2,
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
      const ids = seedSteady(ec2 as InstantEc2, count);
      const { TopicArn = '' } = await new SNSClient({}).send(
        new CreateTopicCommand({ Name: 'nightshift-reports' }),
      );
      progress(
        `  seeded ${count} scheduled instances in ${Math.round(performance.now() - started)} ms`,
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
      makeDue(ec2, dueIds);
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
    await ec2?.stop();
    await moto.stop();
    if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = previousEndpoint;
  }
};
