import { isDeepStrictEqual } from 'node:util';
import { type AnswerHook, type FaultProxy, startFaultProxy } from './faultProxy.ts';
import { type BundleInvocation, invokeBundle } from './invokeBundle.ts';

/** One invocation of a crash scenario: a built bundle and the event it gets. */
export interface CrashInvocation {
  /** How the report names it: `scale_down`, `first delivery`. */
  label: string;
  /** Path of the built bundle (`dist/<name>/index.mjs`). */
  bundle: string;
  event: unknown;
  functionName?: string;
  /**
   * Its environment, given the endpoint of the proxy in front of each upstream. The
   * proxy in front of the `aws` upstream is also `AWS_ENDPOINT_URL`.
   */
  env?: (endpoints: Readonly<Record<string, string>>) => Record<string, string>;
  /**
   * What passes between a killed invocation and its retry, such as a lease the killed
   * process held running out (the scenario moves it into the past): run once, after the kill.
   */
  afterKill?: () => Promise<void>;
}

/** A scenario from its starting account: what runs, and how the outcome is seen. */
export interface CrashRun<S> {
  /** The invocations, in order; kill points cover each in turn. */
  invocations: readonly CrashInvocation[];
  /** The account as the comparison sees it (ids replaced by roles). */
  observe(): Promise<S>;
}

export interface CrashScenario<S> {
  /** Each upstream whose calls are counted and may be killed at: name → URL (`aws`: the emulator). */
  upstreams: Readonly<Record<string, string>>;
  /** Puts the account in the scenario's starting state (reset, then seed), every time alike. */
  prepare(): Promise<CrashRun<S>>;
  /**
   * Which calls change something. When given, only those and the first call of each
   * invocation are kill points: a kill after a call that only reads leaves the state a
   * kill after the change before it leaves. Every call is a kill point when absent.
   */
  changes?: (call: { upstream: string; action: string }) => boolean;
  /** Whether a crashed run ended as well as the clean one; deep equality when absent. */
  equivalent?: (clean: S, crashed: S) => boolean;
  /**
   * Where the account is compared: after every invocation (the default), or only after the
   * last, for a scenario whose invocation, run twice, goes further than run once (a second
   * delivery of a backup expires what the first one's new backup replaced).
   */
  compare?: 'each' | 'last';
}

/** A call of the fault-free run, in the order its answer came back. */
export interface CrashCall {
  upstream: string;
  action: string;
  /** 1 for the first call of this action to this upstream in the invocation, 2 for the next... */
  occurrence: number;
}

/** Where a run is killed: right after this call of this invocation took effect. */
export interface KillPoint extends CrashCall {
  /** Index of the invocation in the scenario. */
  invocation: number;
  label: string;
}

export interface KillOutcome<S> {
  point: KillPoint;
  /** False when the call did not come in the killed run (the run then ended by itself). */
  killed: boolean;
  /** The account after each invocation: the killed one counts once it was run again. */
  states: S[];
  /** Errors of the runs after the kill: the re-run and the invocations after it. */
  errors: string[];
  /** What went wrong: states that differ from the fault-free run's, errors, a kill not reached. */
  failures: string[];
}

export interface CrashReport<S> {
  /** The calls of the fault-free run, per invocation. */
  calls: { label: string; calls: CrashCall[] }[];
  /** The account after each invocation of the fault-free run. */
  clean: S[];
  outcomes: KillOutcome<S>[];
}

const describeValue = (value: unknown) => JSON.stringify(value) ?? String(value);

/** What differs between two states: one line per top-level field, or the whole when not objects. */
export const stateDifferences = (expected: unknown, actual: unknown): string[] => {
  if (isDeepStrictEqual(expected, actual)) return [];
  const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isRecord(expected) || !isRecord(actual)) {
    return [`expected ${describeValue(expected)}, got ${describeValue(actual)}`];
  }
  return [...new Set([...Object.keys(expected), ...Object.keys(actual)])]
    .filter((key) => !isDeepStrictEqual(expected[key], actual[key]))
    .map(
      (key) =>
        `${key}: expected ${describeValue(expected[key])}, got ${describeValue(actual[key])}`,
    );
};

const errorText = (outcome: BundleInvocation) =>
  outcome.error ? `${outcome.error.name}: ${outcome.error.message}` : undefined;

/**
 * Runs one invocation with every upstream behind a counting proxy. `onAnswer` sees each
 * call once it took effect; `signal` kills the process. Resolves once the process has
 * exited and no request it sent is still being handled.
 */
const runInvocation = async (
  scenario: CrashScenario<unknown>,
  invocation: CrashInvocation,
  onAnswer: (upstream: string, call: { action: string; occurrence: number }) => 'deliver' | 'kill',
): Promise<BundleInvocation> => {
  const controller = new AbortController();
  let running: Promise<BundleInvocation> | undefined;
  const proxies: [string, FaultProxy][] = [];
  try {
    for (const [name, target] of Object.entries(scenario.upstreams)) {
      const hook: AnswerHook = async (call) => {
        if (onAnswer(name, call) === 'deliver') return 'deliver';
        controller.abort();
        await running;
        return 'lose';
      };
      proxies.push([name, await startFaultProxy({ target, rate: 0, onAnswer: hook })]);
    }
    const endpoints = Object.fromEntries(proxies.map(([name, proxy]) => [name, proxy.endpoint]));
    running = invokeBundle(invocation.bundle, invocation.event, {
      env: {
        ...(endpoints.aws ? { AWS_ENDPOINT_URL: endpoints.aws } : {}),
        ...invocation.env?.(endpoints),
      },
      functionName: invocation.functionName ?? 'nightshift-local',
      signal: controller.signal,
    });
    const outcome = await running;
    await Promise.all(proxies.map(([, proxy]) => proxy.idle()));
    return outcome;
  } finally {
    await Promise.all(proxies.map(([, proxy]) => proxy.stop()));
  }
};

/** Counts calls per upstream and action, in the order their answers come back. */
const callCounter = () => {
  const calls: CrashCall[] = [];
  const seen = new Map<string, number>();
  return {
    calls,
    count: (upstream: string, action: string): CrashCall => {
      const key = `${upstream} ${action}`;
      const occurrence = (seen.get(key) ?? 0) + 1;
      seen.set(key, occurrence);
      const call = { upstream, action, occurrence };
      calls.push(call);
      return call;
    },
  };
};

/** The kill points of a fault-free run: every call, or the changes and each invocation's first call. */
export const killPointsOf = (
  calls: CrashReport<unknown>['calls'],
  changes?: CrashScenario<unknown>['changes'],
): KillPoint[] =>
  calls.flatMap(({ label, calls: invocationCalls }, invocation) =>
    invocationCalls
      .filter((call, index) => !changes || index === 0 || changes(call))
      .map((call) => ({ ...call, invocation, label })),
  );

/**
 * Proves a scenario crash-safe call by call. First a fault-free run from the starting
 * account records every call and the account after each invocation. Then, for each kill
 * point (invocation i, call k): from the same starting account, the invocations before i
 * run; invocation i runs until call k has taken effect upstream, and its process is killed
 * before the answer arrives; invocation i runs again, normally; then the rest. After each
 * invocation (or the last: `compare`) the account must be as in the fault-free run, and no
 * run after the kill may fail.
 *
 * @example
 * const report = await runCrashPoints({ upstreams: { aws: moto.endpoint }, prepare });
 * expect(report.outcomes.flatMap((outcome) => outcome.failures)).toEqual([]);
 */
export const runCrashPoints = async <S>(
  scenario: CrashScenario<S>,
  { onOutcome }: { onOutcome?: (outcome: KillOutcome<S>) => void } = {},
): Promise<CrashReport<S>> => {
  const equivalent = scenario.equivalent ?? isDeepStrictEqual;
  const untyped = scenario as CrashScenario<unknown>;

  const cleanRun = await scenario.prepare();
  const calls: CrashReport<S>['calls'] = [];
  const clean: S[] = [];
  for (const invocation of cleanRun.invocations) {
    const counter = callCounter();
    const outcome = await runInvocation(untyped, invocation, (upstream, call) => {
      counter.count(upstream, call.action);
      return 'deliver';
    });
    const error = errorText(outcome);
    if (error) throw new Error(`The fault-free run of ${invocation.label} failed: ${error}`);
    calls.push({ label: invocation.label, calls: counter.calls });
    clean.push(await cleanRun.observe());
  }

  const outcomes: KillOutcome<S>[] = [];
  for (const point of killPointsOf(calls, untyped.changes)) {
    const run = await scenario.prepare();
    const states: S[] = [];
    const errors: string[] = [];
    const failures: string[] = [];
    let killed = false;
    for (const [index, invocation] of run.invocations.entries()) {
      if (index === point.invocation) {
        const counter = callCounter();
        const crashed = await runInvocation(untyped, invocation, (upstream, call) => {
          const counted = counter.count(upstream, call.action);
          const here =
            !killed &&
            upstream === point.upstream &&
            counted.action === point.action &&
            counted.occurrence === point.occurrence;
          if (here) killed = true;
          return here ? 'kill' : 'deliver';
        });
        if (!crashed.killed) failures.push('the kill point was not reached');
        else await invocation.afterKill?.();
      }
      const outcome = await runInvocation(untyped, invocation, () => 'deliver');
      const error = errorText(outcome);
      if (error && index >= point.invocation) errors.push(`${invocation.label}: ${error}`);
      const state = await run.observe();
      states.push(state);
      const expected = clean[index] as S;
      const compared = scenario.compare !== 'last' || index === run.invocations.length - 1;
      if (compared && !equivalent(expected, state)) {
        failures.push(
          ...stateDifferences(expected, state).map((line) => `after ${invocation.label}: ${line}`),
        );
      }
    }
    failures.push(...errors.map((error) => `failed: ${error}`));
    const outcome = { point, killed, states, errors, failures };
    onOutcome?.(outcome);
    outcomes.push(outcome);
  }
  return { calls, clean, outcomes };
};

/** A kill point as the report names it: `scale_down: after StopInstances #2 (aws)`. */
export const describeKillPoint = ({ label, action, occurrence, upstream }: KillPoint) =>
  `${label}: killed after ${action} #${occurrence}${upstream === 'aws' ? '' : ` (${upstream})`}`;

/**
 * The report of a scenario: its calls per invocation, the kill points tried, and each
 * one that failed with what differed.
 */
export const formatCrashReport = (name: string, report: CrashReport<unknown>): string => {
  const failed = report.outcomes.filter((outcome) => outcome.failures.length > 0);
  const lines = [
    `${name}: ${report.calls.map(({ label, calls }) => `${label} ${calls.length} calls`).join(', ')}; ${report.outcomes.length} kill points tried, ${failed.length} failed`,
    ...report.calls.map(
      ({ label, calls }) =>
        `  ${label}: ${calls.map((call) => `${call.action}${call.upstream === 'aws' ? '' : ` (${call.upstream})`}`).join(', ')}`,
    ),
    ...failed.flatMap((outcome) => [
      `  FAILED ${describeKillPoint(outcome.point)}`,
      ...outcome.failures.map((failure) => `    ${failure}`),
    ]),
  ];
  return lines.join('\n');
};
