import type { Contributor } from './bundles.ts';
import { FLATNESS_TARGET, type flatness, type LineTiming } from './lineClassification.ts';
import { round } from './stats.ts';
import type { WorstBatchRun } from './worstBatch.ts';

/** Cold start targets: a function may cost at most this multiple of its SDK-only floor. */
export const COLD_START_TARGET = 1.2;
/** Peak RSS of every invocation stays under this, to run at Lambda's 128 MB minimum. */
export const RSS_TARGET_MB = 120;
/** The log-processor handler's throughput relative to bare decoding. */
export const THROUGHPUT_TARGET = 0.5;

/** Everything one benchmark run found, as written to bench/results/latest.json. */
export interface BenchResults {
  date: string;
  machine: { cpu: string; cpus: number; memoryGb: number; os: string; node: string };
  settings: {
    quick: boolean;
    coldStartRounds: number;
    invocationRounds: number;
    throughputRuns: number;
    cleanupRuns: number;
    snapshots: number;
    lineRounds: number;
    reconcileRuns: number;
    scheduledInstances: number;
    scheduledInstancesSmall: number;
    scheduledTransitions: number;
  };
  /** The baseline of baselines: a Node.js process that imports nothing. */
  emptyNode: { ms: number; rssMb: number };
  functions: FunctionResult[];
  throughput: ThroughputFigures;
  cleanup: CleanupFigures[];
  lineClassification: LineClassificationFigures;
  worstBatch: WorstBatchFigures;
  reconcile: ReconcileFigures[];
  /** The fan-out across an organization (absent from results written before it was measured). */
  fanout?: FanoutFigures;
  targets: BenchTarget[];
}

/** One target of the run, met or not, with the figure that decides it. */
export interface BenchTarget {
  target: string;
  met: boolean;
  detail: string;
}

/** log-processor's classification of the worst lines, 1 KB to 256 KB. */
export interface LineClassificationFigures {
  /** Characters of a line the shipped classifier reads. */
  classifiedLength: number;
  rounds: number;
  timings: LineTiming[];
  flatness: ReturnType<typeof flatness>;
}

/** log-processor with the largest batch it accepts, of tiny events. */
export interface WorstBatchFigures {
  maxUnzippedBytes: number;
  rounds: number;
  batches: WorstBatchRun[];
}

/** The figures of one function, each next to its baseline. */
export interface FunctionResult {
  name: string;
  bundleKb: number;
  /** Nightshift's own code in the bundle: the function and the workspace packages. */
  ownKb: number;
  contributors: Contributor[];
  sdkClients: string[];
  floorKb: number;
  coldStart: {
    ms: number;
    floorMs: number;
    ratio: number;
    met: boolean;
    importMs: number;
    floorImportMs: number;
    rssAfterImportMb: number;
    floorRssAfterImportMb: number;
  };
  /** The same cold start with Node's --enable-source-maps, as the template runs it. */
  sourceMaps: { ms: number; rssAfterImportMb: number };
  memory: {
    maxRssMb: number;
    step: string;
    met: boolean;
    steps: { step: string; maxRssMb: number; handlerMs: number; errors: number }[];
  };
}

/** log-processor against bare decoding on the same batch, in the same process. */
export interface ThroughputFigures {
  events: number;
  jsonMb: number;
  gzipKb: number;
  errorLines: number;
  criticalLines: number;
  runs: number;
  /** Alerts the instant SNS endpoint answered: one per invocation, warm-up included. */
  alertsAnswered: number;
  handler: Rate;
  baseline: Rate;
  /** Median of baseline / handler within each pair of runs. */
  ratio: number;
  met: boolean;
}

interface Rate {
  ms: number;
  eventsPerSecond: number;
  mbPerSecond: number;
}

/** Medians of the cleanup runs at one concurrency. */
export interface CleanupFigures {
  concurrency: string;
  runs: number;
  deleted: number;
  failed: number;
  handlerSeconds: number;
  wallSeconds: number;
  calls: number;
  callsByAction: Record<string, number>;
  errors: string[];
}

/** Instances per DescribeInstances page when infra-scaler reads them (EC2's largest page). */
export const DESCRIBE_PAGE = 1_000;
/** Instances per StopInstances / StartInstances / CreateTags call of a reconcile. */
export const RECONCILE_BATCH = 50;
/** Calls per batch of transitions: the stop (or start) and the `nightshift:last-action` tags. */
export const TRANSITION_CALLS_PER_BATCH = 2;

/** Medians of the reconcile runs of one scenario at one number of scheduled instances. */
export interface ReconcileFigures {
  scenario: 'nothing due' | 'transitions';
  runs: number;
  /** Instances tagged `nightshift:schedule`. */
  instances: number;
  /** Of them, the ones seeded to need a transition (a stop). */
  transitions: number;
  /** What the reports said was done, failed and already in its due state. */
  done: number;
  failed: number;
  inDueState: number;
  handlerMs: number;
  wallMs: number;
  calls: number;
  callsByAction: Record<string, number>;
  errors: string[];
}

const yes = (met: boolean) => (met ? 'yes' : '**no**');
/** A Markdown table with padded columns, as the repository's formatter writes them. */
const table = (head: string[], rows: (string | number)[][]) => {
  const cells = [head, ...rows.map((row) => row.map(String))];
  const widths = head.map((_, column) =>
    Math.max(3, ...cells.map((row) => [...(row[column] ?? '')].length)),
  );
  const line = (row: string[]) =>
    `| ${widths.map((width, column) => (row[column] ?? '').padEnd(width)).join(' | ')} |`;
  return [
    line(head),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...cells.slice(1).map(line),
  ].join('\n');
};
/**
 * The results as Markdown: machine, one table per benchmark, what was tried and kept,
 * and which targets are met.
 *
 * @example
 * writeFileSync('bench/results/latest.md', renderMarkdown(results));
 */
export const renderMarkdown = (results: BenchResults): string => {
  const { machine, settings, functions, throughput, cleanup } = results;
  const lines: string[] = [];
  const add = (...more: string[]) => lines.push(...more);
  add(
    '# Nightshift benchmarks',
    '',
    `${results.date} on ${machine.cpus} × ${machine.cpu}, ${machine.memoryGb} GB, ${machine.os}, Node.js ${machine.node}${settings.quick ? ' (quick run: fewer repetitions)' : ''}.`,
    '',
    'Every figure is a median, measured in the same run as its baseline, on the built bundles',
    '(`dist/<name>/index.mjs`). Absolute times depend on the machine; the ratios are what to compare.',
    'Settled questions (Node.js 24 on arm64, `zod/mini`, no compile cache) are not measured again:',
    '`docs/decisions/` has the figures that settled them.',
    '',
  );

  add(
    '## Bundle size and cold start',
    '',
    `Cold start: a fresh Node.js process that imports the bundle, from spawn to exit, median of ${settings.coldStartRounds} starts interleaved with its baselines; the ratio is the median of the ratios within each round. SDK-only floor: the same esbuild options on an entry that imports only the AWS SDK clients, commands and paginators the function's bundle contains. Target: at most ${COLD_START_TARGET}× the floor.`,
    '',
    table(
      [
        'function',
        'bundle KB',
        'Nightshift code KB',
        'largest contributors (KB)',
        'cold start ms',
        'SDK-only floor ms',
        'ratio',
        `≤ ${COLD_START_TARGET}×`,
        'with source maps ms',
        'empty Node.js ms',
      ],
      functions.map((fn) => [
        `\`${fn.name}\``,
        round(fn.bundleKb, 0),
        round(fn.ownKb, 1),
        fn.contributors
          .slice(0, 4)
          .map((c) => `${c.name} ${round(c.kb, 0)}`)
          .join(', '),
        round(fn.coldStart.ms, 0),
        round(fn.coldStart.floorMs, 0),
        `${round(fn.coldStart.ratio, 2)}×`,
        yes(fn.coldStart.met),
        round(fn.sourceMaps.ms, 0),
        round(results.emptyNode.ms, 0),
      ]),
    ),
    '',
    "With source maps: the same start with Node's `--enable-source-maps`, which the template's `NODE_OPTIONS` sets; the floor and the other columns are without.",
    '',
    `SDK clients per floor: ${functions.map((fn) => `${fn.name}: ${fn.sdkClients.join(', ')}`).join('; ')}.`,
    '',
    `The import alone, timed inside the process (function vs floor): ${functions
      .map(
        (fn) =>
          `${fn.name} ${round(fn.coldStart.importMs, 0)} vs ${round(fn.coldStart.floorImportMs, 0)} ms`,
      )
      .join(', ')}.`,
    '',
  );

  add(
    '## Peak memory of one invocation',
    '',
    `Peak RSS of a fresh process that imports the bundle and runs one invocation of the demo's night on the emulated account (median of ${settings.invocationRounds} night(s); the heaviest step of each function shown; a function the night has no step for runs its smoke event), source maps off. Baselines: the process after the import alone, and the SDK-only floor after its import. Target: under ${RSS_TARGET_MB} MB, to run at Lambda's 128 MB minimum.`,
    '',
    table(
      [
        'function',
        'heaviest step',
        'peak RSS MB',
        `< ${RSS_TARGET_MB} MB`,
        'after import MB',
        'after import with source maps MB',
        'SDK-only floor after import MB',
        'empty Node.js MB',
      ],
      functions.map((fn) => [
        `\`${fn.name}\``,
        fn.memory.step,
        round(fn.memory.maxRssMb, 1),
        yes(fn.memory.met),
        round(fn.coldStart.rssAfterImportMb, 1),
        round(fn.sourceMaps.rssAfterImportMb, 1),
        round(fn.coldStart.floorRssAfterImportMb, 1),
        round(results.emptyNode.rssMb, 1),
      ]),
    ),
    '',
    `Every step: ${functions
      .flatMap((fn) =>
        fn.memory.steps.map((s) => `${fn.name} ${s.step} ${round(s.maxRssMb, 0)} MB`),
      )
      .join(', ')}.`,
    '',
  );

  add(
    '## log-processor throughput',
    '',
    `One batch of ${throughput.events.toLocaleString('en-US')} events (${round(throughput.jsonMb, 2)} MB of JSON, ${round(throughput.gzipKb, 0)} KB gzipped; ${throughput.errorLines} error lines, ${throughput.criticalLines} of them critical), the built handler warm in one process, alternating with the baseline of bare base64 + gunzip + JSON.parse + one regular expression test per line. Median of ${throughput.runs} runs each; the ratio is the median of the ratios within each pair. Every invocation publishes its alert to a loopback endpoint that answers SNS Publish at once (${throughput.alertsAnswered} alerts answered, one per invocation), which leaves the handler's own work and the SDK's, not an emulator's time per request. Target: at least ${THROUGHPUT_TARGET} of the baseline's throughput, with the alert answered at once.`,
    '',
    table(
      ['', 'ms per batch', 'events/s', 'MB/s'],
      (
        [
          ['handler', throughput.handler],
          ['baseline', throughput.baseline],
        ] as const
      ).map(([name, rate]) => [
        name,
        round(rate.ms, 1),
        round(rate.eventsPerSecond, 0).toLocaleString('en-US'),
        round(rate.mbPerSecond, 1),
      ]),
    ),
    '',
    `Handler / baseline, the median of the ratios within each pair: ${round(throughput.ratio, 2)} (target ≥ ${THROUGHPUT_TARGET}: ${throughput.met ? 'met' : 'missed'}).`,
    '',
  );

  add(
    '## snapshot-cleanup at scale',
    '',
    `${settings.snapshots.toLocaleString('en-US')} snapshots 40 days old (20 volumes, each with a newer snapshot that stays) cleaned by the built bundle against the emulator, \`MAX_DELETIONS_PER_RUN=${settings.snapshots}\`, AWS calls counted by a pass-through proxy; median of ${settings.cleanupRuns} run(s) per concurrency. No target: the emulator, which handles one request at a time, is the bottleneck, not AWS.`,
    '',
    table(
      [
        'DELETE_CONCURRENCY',
        'deleted',
        'failed',
        'handler s',
        'wall s (with cold start)',
        'AWS calls',
        'by action',
      ],
      cleanup.map((run) => [
        run.concurrency,
        run.deleted,
        run.failed,
        round(run.handlerSeconds, 1),
        round(run.wallSeconds, 1),
        run.calls,
        Object.entries(run.callsByAction)
          .map(([action, count]) => `${action} ${count}`)
          .join(', '),
      ]),
    ),
    '',
  );

  add(
    renderLineClassification(results.lineClassification),
    renderWorstBatch(results.worstBatch),
    renderReconcile(results.reconcile),
    ...(results.fanout ? [renderFanout(results.fanout)] : []),
  );

  add(
    '## Targets',
    '',
    ...results.targets.map((t) => `- ${t.met ? 'met' : '**missed**'}: ${t.target} (${t.detail})`),
    '',
  );
  return lines.join('\n');
};

const modeName = { shipped: 'as shipped', uncapped: 'patterns alone, no cut' } as const;

/**
 * The line classification section: time per KB of each worst line at each length, as
 * shipped and without the cut, and how far from flat.
 *
 * @example
 * console.log(renderLineClassification(figures));
 */
export const renderLineClassification = (figures: LineClassificationFigures): string => {
  const sizes = [...new Set(figures.timings.map((timing) => timing.kb))].sort((a, b) => a - b);
  const largest = sizes.at(-1) ?? 0;
  const rows = figures.flatness.map((row) => {
    const cells = figures.timings.filter(
      (timing) => timing.mode === row.mode && timing.input === row.input,
    );
    const at = (kb: number) => cells.find((timing) => timing.kb === kb);
    return [
      row.input,
      modeName[row.mode],
      ...sizes.map((kb) => round(at(kb)?.usPerKb ?? Number.NaN, 1)),
      round(at(largest)?.msPerLine ?? Number.NaN, 2),
      `${round(row.ratio, 2)}× (${row.worstKb} KB)`,
      yes(row.met),
    ];
  });
  return [
    '## log-processor: worst-case line classification',
    '',
    `Lines of one repeated unit, the worst inputs for the classifier's regular expressions, at ${sizes.join(', ')} KB, classified with the default patterns by the module the bundle is built from, in a fresh process: as shipped (the first ${figures.classifiedLength.toLocaleString('en-US')} characters of a line are read), and the patterns alone on the whole line. Median of ${figures.rounds} rounds over every cell, each round calling the classifier for at least 10 ms. Target: flat, the time per KB at every length at most ${FLATNESS_TARGET}× the 1 KB line's (a pattern that backtracks over a run costs about n× at n KB).`,
    '',
    table(
      [
        'line',
        'classifier',
        ...sizes.map((kb) => `µs/KB at ${kb} KB`),
        `ms per ${largest} KB line`,
        'worst / 1 KB',
        `≤ ${FLATNESS_TARGET}×`,
      ],
      rows,
    ),
    '',
  ].join('\n');
};

/**
 * The largest-batch section: peak RSS and handler time of each kind of batch at the cap.
 *
 * @example
 * console.log(renderWorstBatch(figures));
 */
export const renderWorstBatch = (figures: WorstBatchFigures): string =>
  [
    '## log-processor: the largest allowed batch',
    '',
    `A batch that unzips to exactly the cap, ${round(figures.maxUnzippedBytes / 1024, 0).toLocaleString('en-US')} KB, of the smallest events of each kind (the last one padded to the byte), invoked once per round in a fresh process on the built bundle, its alert answered by a loopback SNS; median of ${figures.rounds} round(s). Target: peak RSS under ${RSS_TARGET_MB} MB, to run at Lambda's 128 MB minimum.`,
    '',
    table(
      [
        'batch',
        'events',
        'JSON KB',
        'gzip KB',
        'critical lines',
        'handler ms',
        'peak RSS MB',
        `< ${RSS_TARGET_MB} MB`,
      ],
      figures.batches.map((batch) => [
        batch.kind,
        batch.events.toLocaleString('en-US'),
        round(batch.jsonBytes / 1024, 0),
        round(batch.gzipBytes / 1024, 0),
        batch.criticalCount.toLocaleString('en-US'),
        round(batch.handlerMs, 0),
        round(batch.maxRssMb, 1),
        yes(batch.maxRssMb < RSS_TARGET_MB),
      ]),
    ),
    '',
  ].join('\n');

/**
 * The targets of the line classification: flat per KB as shipped, and for the patterns
 * alone on the whole line.
 *
 * @example
 * targets.push(...lineClassificationTargets(figures));
 */
export const lineClassificationTargets = (figures: LineClassificationFigures): BenchTarget[] =>
  (['shipped', 'uncapped'] as const).map((mode) => {
    const rows = figures.flatness.filter((row) => row.mode === mode);
    const worst = rows.reduce((high, row) => (row.ratio > high.ratio ? row : high));
    return {
      target:
        mode === 'shipped'
          ? `log-processor worst-case line classification flat per KB, 1 to 256 KB (every length ≤ ${FLATNESS_TARGET}× the 1 KB line's)`
          : `log-processor default patterns linear on the whole line, no cut (every length ≤ ${FLATNESS_TARGET}× the 1 KB line's per KB)`,
      met: rows.every((row) => row.met),
      detail: `worst ${round(worst.ratio, 2)}×: ${worst.input} at ${worst.worstKb} KB`,
    };
  });

/**
 * The target of the largest batch: its heaviest kind under the RSS target, and every run
 * processed all its events.
 *
 * @example
 * targets.push(...worstBatchTargets(figures));
 */
export const worstBatchTargets = (figures: WorstBatchFigures): BenchTarget[] => {
  const heaviest = figures.batches.reduce((high, batch) =>
    batch.maxRssMb > high.maxRssMb ? batch : high,
  );
  const errors = figures.batches.flatMap((batch) =>
    batch.errors.map((error) => `${batch.kind}: ${error}`),
  );
  return [
    {
      target: `log-processor peak RSS of the largest allowed batch of tiny events < ${RSS_TARGET_MB} MB`,
      met: heaviest.maxRssMb < RSS_TARGET_MB && errors.length === 0,
      detail: `${round(heaviest.maxRssMb, 1)} MB, ${heaviest.events.toLocaleString('en-US')} ${heaviest.kind}${errors.length > 0 ? `; ${errors.join('; ')}` : ''}`,
    },
  ];
};

const byAction = (calls: Record<string, number>) =>
  Object.entries(calls)
    .map(([action, count]) => `${action} ${count}`)
    .join(', ');

/**
 * The reconcile section: per scenario and number of scheduled instances, what the run did,
 * its AWS calls by action and in total, and its time.
 *
 * @example
 * console.log(renderReconcile(figures));
 */
export const renderReconcile = (figures: ReconcileFigures[]): string => {
  const runs = figures[0]?.runs ?? 0;
  return [
    '## infra-scaler: reconcile at scale',
    '',
    `Running EC2 instances tagged \`nightshift:schedule\`, one \`{"action":"reconcile"}\` run of the built bundle at a time, the schedules in \`SCHEDULES\` built around the real clock; median of ${runs} run(s) per row. EC2 is served for this part by an in-memory endpoint (\`AWS_ENDPOINT_URL_EC2\`), because the emulator's instance and tag lookups grow with the account's tags (minutes per DescribeInstances at 5,000 instances, beyond the SDK's 20 s request timeout): it answers DescribeInstances in pages of at most ${DESCRIBE_PAGE.toLocaleString('en-US')} instances, as EC2 does, takes a stop or a start at once, and counts each call; Auto Scaling, RDS, CloudWatch and SNS stay on an emulator of this part's own, their calls counted by a pass-through proxy. The instances are put into memory directly, without calls. Nothing due: every instance on a schedule due running, \`nightshift:last-action=start@…\` already on it (such a run writes nothing, so its runs share one seeded set). Transitions: that many of the same instances put on a schedule due stopped, running and never acted on, before each run: each is stopped. Targets: with nothing due, the same calls whatever the number of instances, the DescribeInstances pages aside; the transitions batched, at most ${TRANSITION_CALLS_PER_BATCH} calls per ${RECONCILE_BATCH} transitions (the stops and the \`nightshift:last-action\` tags) and the report beyond the nothing-due run of the same size. The figures measure the function's own calls and time: EC2 answers at once, the emulator handles the rest one request at a time.`,
    '',
    table(
      [
        'scenario',
        'scheduled instances',
        'transitions',
        'stopped',
        'failed',
        'in due state',
        'AWS calls',
        'by action',
        'handler ms',
        'wall ms (with cold start)',
      ],
      figures.map((row) => [
        row.scenario,
        row.instances.toLocaleString('en-US'),
        row.transitions.toLocaleString('en-US'),
        row.done.toLocaleString('en-US'),
        row.failed,
        row.inDueState.toLocaleString('en-US'),
        row.calls,
        byAction(row.callsByAction),
        round(row.handlerMs, 0),
        round(row.wallMs, 0),
      ]),
    ),
    '',
  ].join('\n');
};

/** The run did what its scenario asks: every transition done, the rest left, nothing failed. */
const reconcileProblems = (row: ReconcileFigures): string[] => [
  ...row.errors,
  ...(row.failed > 0 ? [`${row.failed} failed`] : []),
  ...(row.done !== row.transitions ? [`${row.done} done of ${row.transitions} transitions`] : []),
  ...(row.inDueState !== row.instances - row.transitions
    ? [`${row.inDueState} in their due state of ${row.instances - row.transitions}`]
    : []),
];

const callsBeyond = (row: ReconcileFigures, base: ReconcileFigures) =>
  Object.fromEntries(
    Object.entries(row.callsByAction)
      .map(([action, count]) => [action, count - (base.callsByAction[action] ?? 0)] as const)
      .filter(([, count]) => count !== 0),
  );

/**
 * The targets of the reconcile: with nothing due, the same calls at every number of
 * instances but for the describe pages (at most one more than the instances fill); the
 * transitions batched, at most two calls per 50 (the stops and their tags) and the report
 * beyond the nothing-due run of the same size. Each run must also have done exactly what its
 * scenario asks.
 *
 * @example
 * targets.push(...reconcileTargets(figures));
 */
export const reconcileTargets = (figures: ReconcileFigures[]): BenchTarget[] => {
  const nothingDue = figures
    .filter((row) => row.scenario === 'nothing due')
    .sort((a, b) => a.instances - b.instances);
  const small = nothingDue[0];
  const large = nothingDue.at(-1);
  const pages = (row: ReconcileFigures) => row.callsByAction.DescribeInstances ?? 0;
  const pagesAllowed = (row: ReconcileFigures) => Math.ceil(row.instances / DESCRIBE_PAGE) + 1;
  const targets: BenchTarget[] = [];
  if (small && large && small !== large) {
    const problems = [...reconcileProblems(small), ...reconcileProblems(large)];
    const describe = (row: ReconcileFigures) =>
      `${row.instances.toLocaleString('en-US')} instances: ${row.calls} calls (${byAction(row.callsByAction)})`;
    targets.push({
      target: `infra-scaler reconcile with nothing due: the same AWS calls at ${large.instances.toLocaleString('en-US')} scheduled instances as at ${small.instances.toLocaleString('en-US')}, but for the DescribeInstances pages (at most one per ${DESCRIBE_PAGE.toLocaleString('en-US')} instances, and one more)`,
      met:
        problems.length === 0 &&
        small.calls - pages(small) === large.calls - pages(large) &&
        pages(small) <= pagesAllowed(small) &&
        pages(large) <= pagesAllowed(large),
      detail: [describe(small), describe(large), ...problems].join('; '),
    });
  }
  for (const row of figures.filter((each) => each.scenario === 'transitions')) {
    const base = nothingDue.find((each) => each.instances === row.instances);
    const allowed = TRANSITION_CALLS_PER_BATCH * Math.ceil(row.transitions / RECONCILE_BATCH) + 1;
    const extra = base ? row.calls - base.calls : Number.NaN;
    const problems = reconcileProblems(row);
    targets.push({
      target: `infra-scaler reconcile of ${row.transitions.toLocaleString('en-US')} transitions among ${row.instances.toLocaleString('en-US')} scheduled instances batched: at most ${allowed} AWS calls beyond nothing due`,
      met: base !== undefined && problems.length === 0 && extra <= allowed,
      detail: [
        base
          ? `${extra} calls beyond nothing due (${byAction(callsBeyond(row, base))}), ${row.calls} in all`
          : `no nothing-due run of ${row.instances} instances to compare with`,
        ...problems,
      ].join('; '),
    });
  }
  return targets;
};

// The fan-out across an organization.

/** The default fan-out concurrency (the template's `FanoutConcurrency`): the extrapolation's. */
export const DEFAULT_FANOUT_CONCURRENCY = 10;
/** The organization the figures are extrapolated to. */
export const FANOUT_EXTRAPOLATION = { accounts: 1_000, regions: 4 } as const;
/** The longest extrapolated run each scenario may take, in seconds. */
export const FANOUT_TARGET_SECONDS = {
  'reconcile, nothing due': 5 * 60,
  'full snapshot cleanup': 15 * 60,
} as const;

export type FanoutScenario = keyof typeof FANOUT_TARGET_SECONDS;

/** One fanned-out run: a scenario at one concurrency. */
export interface FanoutRow {
  functionName: string;
  scenario: FanoutScenario;
  /** Workers draining the queue at once (the mapping's maximum concurrency). */
  concurrency: number;
  accounts: number;
  targets: number;
  /** The scheduled invocation: targets resolved, header written, messages sent. */
  dispatchSeconds: number;
  /** From the first receive to the empty queue: every target's job, recorded, and the summary. */
  drainSeconds: number;
  wallSeconds: number;
  /** CPU time of the process all the workers share, while draining. */
  drainCpuSeconds: number;
  invocations: number;
  /** Records answered as failed and delivered again. */
  redelivered: number;
  deadLettered: number;
  /** From the runs table: the header's target count, the target items done and failed. */
  expected: number;
  /** The header's count of the targets recorded. */
  counted: number;
  done: number;
  failed: number;
  summaryPublished: boolean;
  /** The total that shows the jobs' work (`inDueState`, `deleted`), summed over the targets, and what it should be. */
  total: string;
  totalSum: number;
  totalExpected: number;
  /** Snapshots left in every target after a cleanup. */
  snapshotsLeft?: number;
  /** The function's AWS calls in the targets (EC2, Auto Scaling, RDS, CloudWatch), by `service:Action`. */
  jobCalls: Record<string, number>;
  /** Its fan-out calls (STS, SQS, DynamoDB, SNS), dispatch included, by `service:Action`. */
  fanoutCalls: Record<string, number>;
  /** Calls of the dispatching invocation alone. */
  dispatchCalls: number;
  jobCallsPerTarget: number;
  fanoutCallsPerTarget: number;
  /** Time the emulator spent on the forwarded calls, summed (it takes them one at a time). */
  emulatorSeconds: number;
  /** The emulator's error answers, by `service:Action status`. */
  emulatorErrors: Record<string, number>;
  errors: string[];
}

/** The fan-out benchmark's settings and runs. */
export interface FanoutFigures {
  latencyMs: number;
  accounts: number;
  /** Accounts of the runs at concurrency 1. */
  oneAccounts: number;
  regions: string[];
  instancesPerTarget: number;
  snapshotsPerTarget: number;
  dueSnapshotsPerTarget: number;
  extrapolateTo: { accounts: number; regions: number };
  defaultConcurrency: number;
  rows: FanoutRow[];
}

/**
 * The time a run would take over `targets` targets at the row's concurrency: the row's
 * wall time scaled by the number of targets (the dispatch sends its batches and the
 * workers take the targets at a steady rate, so both grow with the targets).
 *
 * @example
 * extrapolatedSeconds({ wallSeconds: 10, targets: 200 }, 4000); // 200
 */
export const extrapolatedSeconds = (
  row: Pick<FanoutRow, 'wallSeconds' | 'targets'>,
  targets: number,
): number => (row.wallSeconds * targets) / row.targets;

/**
 * The time a run over `targets` targets would take on Lambda at `concurrency`, each
 * invocation in a container of its own: the dispatch of the `at` run scaled by the number
 * of targets, then the targets `concurrency` at a time, each as long as one took with
 * the queue drained by one worker (`one`), plus one more spoke role assumed per target
 * for each target that reused its account's credentials there (in Lambda, the Regions of
 * an account mostly land in different containers).
 *
 * @example
 * modelledSeconds(one, at, { targets: 4000, concurrency: 10, latencyMs: 50 });
 */
export const modelledSeconds = (
  one: Pick<FanoutRow, 'drainSeconds' | 'targets' | 'fanoutCalls'>,
  at: Pick<FanoutRow, 'dispatchSeconds' | 'targets'>,
  { targets, concurrency, latencyMs }: { targets: number; concurrency: number; latencyMs: number },
): number => {
  const assumed = (one.fanoutCalls['sts:AssumeRole'] ?? 0) / one.targets;
  const perTarget = one.drainSeconds / one.targets + Math.max(0, 1 - assumed) * (latencyMs / 1000);
  return (at.dispatchSeconds * targets) / at.targets + Math.ceil(targets / concurrency) * perTarget;
};

/** The runs a scenario's extrapolation takes: by one worker, and at the default concurrency. */
const extrapolationRuns = (figures: FanoutFigures, scenario: FanoutScenario) => {
  const rows = figures.rows.filter((row) => row.scenario === scenario);
  return {
    rows,
    one: rows.find((row) => row.concurrency === 1),
    at: rows.find((row) => row.concurrency === figures.defaultConcurrency),
  };
};

/** The run did all its scenario asks: every target done, its total right, the summary out. */
const fanoutProblems = (row: FanoutRow): string[] => [
  ...row.errors,
  ...(row.expected !== row.targets ? [`${row.expected} targets dispatched of ${row.targets}`] : []),
  ...(row.done !== row.targets ? [`${row.done} targets done of ${row.targets}`] : []),
  ...(row.counted !== row.targets ? [`${row.counted} targets counted of ${row.targets}`] : []),
  ...(row.failed > 0 ? [`${row.failed} failed`] : []),
  ...(row.deadLettered > 0 ? [`${row.deadLettered} in the dead-letter queue`] : []),
  ...(row.totalSum !== row.totalExpected
    ? [`${row.total} ${row.totalSum} of ${row.totalExpected}`]
    : []),
  ...(row.summaryPublished ? [] : ['no summary published']),
];

const perTargetText = (calls: Record<string, number>, targets: number) =>
  Object.entries(calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([action, count]) => `${action} ${round(count / targets, 2)}`)
    .join(', ');

/**
 * The fan-out section: each scenario at each concurrency, its time, its calls per target
 * (the job's and the fan-out's), and the extrapolation at the default concurrency.
 *
 * @example
 * console.log(renderFanout(figures));
 */
export const renderFanout = (figures: FanoutFigures): string => {
  const big = figures.extrapolateTo.accounts * figures.extrapolateTo.regions;
  const targets = figures.accounts * figures.regions.length;
  const minutes = (seconds: number) => round(seconds / 60, 1);
  return [
    '## Fan-out across an organization',
    '',
    `${targets} targets (${figures.accounts} accounts × ${figures.regions.length} Regions: ${figures.regions.join(', ')}), each with ${figures.instancesPerTarget} scheduled instances (reconcile) or ${figures.snapshotsPerTarget} snapshots of which ${figures.dueSnapshotsPerTarget} are past the 30-day retention (cleanup: 20 volumes that exist, one snapshot each 3, 10, 20, 40 and 60 days old). One loopback endpoint plays the organization: it waits ${figures.latencyMs} ms before answering every AWS call (the endpoint sleeps; the fault proxy adds no latency), answers STS (AssumeRole gives keys that name the account), EC2 (instances, snapshots, volumes, images), Auto Scaling and RDS (none in a target) from memory per account and Region, and forwards SQS, DynamoDB and SNS, the fan-out's own state, to an emulator of this part's own, one call at a time (it is not thread-safe; about 7 ms a call: at the higher concurrencies it bounds the rate; its time, summed over its calls, is shown). The built bundle runs in a process of its own, imported once (one warm container for all workers, so its spoke credentials are shared by an account's Regions): its scheduled invocation dispatches, then the queue is drained as Lambda's mapping would (batch of one) by that many workers calling the same handler; the mapping's receives and deletes are neither delayed nor counted. Wall = dispatch + drain, cold start excluded. At concurrency 1 only ${figures.oneAccounts * figures.regions.length} targets (${figures.oneAccounts} accounts) run, to keep the part short. Calls per target: the job's (EC2, Auto Scaling, RDS, CloudWatch) and the fan-out's (STS, SQS, DynamoDB, SNS, dispatch included). Extrapolated to ${figures.extrapolateTo.accounts.toLocaleString('en-US')} accounts × ${figures.extrapolateTo.regions} Regions (${big.toLocaleString('en-US')} targets) at concurrency ${figures.defaultConcurrency}, the template's FanoutConcurrency default (below). Targets: under ${minutes(FANOUT_TARGET_SECONDS['reconcile, nothing due'])} minutes for a reconcile with nothing due, under ${minutes(FANOUT_TARGET_SECONDS['full snapshot cleanup'])} minutes for a full cleanup.`,
    '',
    table(
      [
        'scenario',
        'concurrency',
        'targets',
        'wall s',
        'dispatch s',
        'drain s',
        'drain CPU s',
        'drain s per target per worker',
        'job calls/target',
        'fan-out calls/target',
        'done',
        'failed',
      ],
      figures.rows.map((row) => [
        `${row.functionName}: ${row.scenario}`,
        row.concurrency,
        row.targets,
        round(row.wallSeconds, 1),
        round(row.dispatchSeconds, 1),
        round(row.drainSeconds, 1),
        round(row.drainCpuSeconds, 1),
        round((row.drainSeconds * row.concurrency) / row.targets, 2),
        round(row.jobCallsPerTarget, 2),
        round(row.fanoutCallsPerTarget, 2),
        row.done,
        row.failed,
      ]),
    ),
    '',
    `Extrapolated to ${big.toLocaleString('en-US')} targets at concurrency ${figures.defaultConcurrency}. On Lambda each of the ${figures.defaultConcurrency} invocations at once has a container and a CPU of its own; here every worker shares one Node.js process (its CPU time shown), one emulator that takes one call at a time, and a 2-core machine, so the runs at concurrency ${figures.defaultConcurrency} and 50 measure those more than the fan-out (compare the drain time per target per worker with concurrency 1's). The modelled figure, which the targets use: the dispatch at concurrency ${figures.defaultConcurrency} scaled by the targets, then ${big.toLocaleString('en-US')} / ${figures.defaultConcurrency} rounds of one target's drain time with one worker (concurrency 1: no contention), counting one AssumeRole (${figures.latencyMs} ms) per target. For comparison, the run at concurrency ${figures.defaultConcurrency} in one process scaled by the targets.`,
    '',
    table(
      [
        'scenario',
        's per target, one worker',
        'dispatch s per 1,000 targets',
        `modelled, ${figures.defaultConcurrency} containers`,
        `in one process, scaled`,
        'target',
      ],
      (Object.keys(FANOUT_TARGET_SECONDS) as FanoutScenario[]).flatMap((scenario) => {
        const { one, at } = extrapolationRuns(figures, scenario);
        if (!one || !at) return [];
        const modelled = modelledSeconds(one, at, {
          targets: big,
          concurrency: figures.defaultConcurrency,
          latencyMs: figures.latencyMs,
        });
        return [
          [
            `${at.functionName}: ${scenario}`,
            round(one.drainSeconds / one.targets, 3),
            round((at.dispatchSeconds * 1000) / at.targets, 1),
            `${minutes(modelled)} min`,
            `${minutes(extrapolatedSeconds(at, big))} min`,
            `< ${minutes(FANOUT_TARGET_SECONDS[scenario])} min`,
          ],
        ];
      }),
    ),
    '',
    ...figures.rows
      .filter((row) => row.concurrency === figures.defaultConcurrency)
      .flatMap((row) => [
        `Calls per target, ${row.functionName} at concurrency ${row.concurrency}: job ${perTargetText(row.jobCalls, row.targets)}; fan-out ${perTargetText(row.fanoutCalls, row.targets)} (the dispatch ${row.dispatchCalls} calls in all). The emulator, one call at a time, was busy ${round(row.emulatorSeconds, 1)} s of the run's ${round(row.wallSeconds, 1)} s; its error answers: ${byAction(row.emulatorErrors) || 'none'} (a 400 is a condition refused, such as the summary another worker claimed first; a 500 is retried by the SDK).`,
        '',
      ]),
  ].join('\n');
};

/**
 * The targets of the fan-out: per scenario, the extrapolation at the default concurrency
 * under its limit, and every run having done all its targets' work.
 *
 * @example
 * targets.push(...fanoutTargets(figures));
 */
export const fanoutTargets = (figures: FanoutFigures): BenchTarget[] => {
  const big = figures.extrapolateTo.accounts * figures.extrapolateTo.regions;
  const scenarios = [...new Set(figures.rows.map((row) => row.scenario))];
  return scenarios.map((scenario) => {
    const { rows, one, at } = extrapolationRuns(figures, scenario);
    const limit = FANOUT_TARGET_SECONDS[scenario];
    const seconds =
      one && at
        ? modelledSeconds(one, at, {
            targets: big,
            concurrency: figures.defaultConcurrency,
            latencyMs: figures.latencyMs,
          })
        : Number.NaN;
    const problems = rows.flatMap((row) =>
      fanoutProblems(row).map((problem) => `concurrency ${row.concurrency}: ${problem}`),
    );
    return {
      target: `${rows[0]?.functionName ?? ''} ${scenario} across ${figures.extrapolateTo.accounts.toLocaleString('en-US')} accounts × ${figures.extrapolateTo.regions} Regions at concurrency ${figures.defaultConcurrency}, ${figures.latencyMs} ms per AWS call, extrapolated: under ${round(limit / 60, 0)} minutes`,
      met: one !== undefined && at !== undefined && seconds < limit && problems.length === 0,
      detail: [
        one && at
          ? `${round(seconds / 60, 1)} min modelled from ${round(one.drainSeconds / one.targets, 3)} s per target with one worker and ${round(at.dispatchSeconds, 1)} s of dispatch for ${at.targets} targets (${round(extrapolatedSeconds(at, big) / 60, 1)} min scaled from the ${at.targets} targets at concurrency ${figures.defaultConcurrency} in one process)`
          : `no run at concurrency 1 and ${figures.defaultConcurrency}`,
        ...problems,
      ].join('; '),
    };
  });
};
