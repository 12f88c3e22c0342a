// Benchmarks of the built bundles, each figure next to its baseline from the same run:
// bundle size and cold start against the SDK-only floor, peak memory of an invocation,
// log-processor throughput against bare decoding, its worst-case line classification and
// its largest allowed batch, snapshot-cleanup and infra-scaler's reconcile at scale, and
// both fanned out across an organization's accounts and Regions.
// Questions already settled are not measured again (docs/decisions/).
// Writes bench/results/latest.md and latest.json and prints the tables.
//   node scripts/bench.ts [--quick] [--strict] [--only regex,batch-memory,reconcile,fanout]
// (npm run bench sets everything up first). --only runs just those parts, prints their
// tables and targets, and writes no results.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem, type } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type FaultProxy, type MotoServer, startFaultProxy, startMoto } from '@nightshift/testing';
import { MAX_CLASSIFIED_LENGTH } from '../functions/log-processor/src/classify.ts';
import { MAX_UNZIPPED_BYTES } from '../functions/log-processor/src/event.ts';
import { analyzeBundle, bundleEntry, floorEntry } from './bench/bundles.ts';
import { runCleanup } from './bench/cleanup.ts';
import { type ColdResult, type ColdTarget, measureColdStarts } from './bench/coldStart.ts';
import { measureFanout } from './bench/fanout.ts';
import { flatness, measureLineClassification } from './bench/lineClassification.ts';
import { generateLogBatch } from './bench/logBatch.ts';
import { type InvocationSample, measureNight } from './bench/memory.ts';
import { measureReconcile } from './bench/reconcile.ts';
import {
  type BenchResults,
  type BenchTarget,
  type CleanupFigures,
  COLD_START_TARGET,
  DEFAULT_FANOUT_CONCURRENCY,
  FANOUT_EXTRAPOLATION,
  type FanoutFigures,
  type FunctionResult,
  fanoutTargets,
  type LineClassificationFigures,
  lineClassificationTargets,
  type ReconcileFigures,
  RSS_TARGET_MB,
  reconcileTargets,
  renderFanout,
  renderLineClassification,
  renderMarkdown,
  renderReconcile,
  renderWorstBatch,
  THROUGHPUT_TARGET,
  type WorstBatchFigures,
  worstBatchTargets,
} from './bench/report.ts';
import { startInstantSns } from './bench/snsEndpoint.ts';
import { median, round } from './bench/stats.ts';
import { measureThroughput, type ThroughputResult } from './bench/throughput.ts';
import { measureWorstBatches } from './bench/worstBatch.ts';
import { listFunctions } from './lib/functions.ts';

/** The parts that can run on their own, with `--only`. */
const PARTS = ['regex', 'batch-memory', 'reconcile', 'fanout'] as const;
type Part = (typeof PARTS)[number];
const USAGE = `usage: node scripts/bench.ts [--quick] [--strict] [--only ${PARTS.join(',')}]`;
const root = resolve(import.meta.dirname, '..');
const FUNCTIONS = listFunctions(root);
const SNAPSHOTS = 2_000;
const LOG_EVENTS = 10_000;
/** infra-scaler's reconcile: scheduled instances, transitions among them, and the smaller set it is compared with. */
const SCHEDULED_INSTANCES = 5_000;
const SCHEDULED_TRANSITIONS = 1_000;
const SCHEDULED_INSTANCES_SMALL = 500;
/** The fan-out: accounts × 4 Regions, each target's resources, the latency of every AWS call. */
const FANOUT_ACCOUNTS = 50;
/** Accounts of the runs at concurrency 1, the slowest (× 4 Regions). */
const FANOUT_ACCOUNTS_AT_ONE = 10;
const FANOUT_CONCURRENCIES = [1, DEFAULT_FANOUT_CONCURRENCY, 50];
const FANOUT_LATENCY_MS = 50;
const FANOUT_INSTANCES = 50;
/** Volumes per target, five snapshots each. */
const FANOUT_VOLUMES = 20;

let options: { quick?: boolean; strict?: boolean; only?: string[] };
try {
  ({ values: options } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      quick: { type: 'boolean' },
      strict: { type: 'boolean' },
      only: { type: 'string', multiple: true },
    },
  }));
} catch (error) {
  console.error(`bench: ${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
const only = (options.only ?? []).flatMap((value) => value.split(',').filter(Boolean));
const unknownParts = only.filter((part) => !(PARTS as readonly string[]).includes(part));
if (unknownParts.length > 0) {
  console.error(`bench: no part named ${unknownParts.join(', ')}\n${USAGE}`);
  process.exit(2);
}
const quick = options.quick === true;
const strict = options.strict === true;
const settings = {
  quick,
  coldStartRounds: quick ? 3 : 15,
  invocationRounds: quick ? 1 : 3,
  throughputRuns: quick ? 5 : 21,
  cleanupRuns: quick ? 1 : 3,
  snapshots: SNAPSHOTS,
  lineRounds: quick ? 3 : 7,
  reconcileRuns: quick ? 1 : 3,
  scheduledInstances: SCHEDULED_INSTANCES,
  scheduledInstancesSmall: SCHEDULED_INSTANCES_SMALL,
  scheduledTransitions: SCHEDULED_TRANSITIONS,
};
const progress = (message: string) => console.error(`bench: ${message}`);
// The bundles measured: dist/ as built, or the copy of it main() takes right after its build,
// so that someone building in the same tree meanwhile does not change them under a run.
let built = root;
const bundle = (name: string) => join(built, 'dist', name, 'index.mjs');

/** Each function's bundle analysis and its SDK-only floor, built into `tmp`. */
const prepareBundles = async (tmp: string) => {
  const prepared = [];
  for (const { name } of FUNCTIONS) {
    const analysis = analyzeBundle(built, name);
    const floor = await bundleEntry({
      contents: floorEntry(analysis.sdkImports),
      resolveDir: join(root, 'functions', name),
      outdir: join(tmp, 'floor', name),
    });
    prepared.push({ analysis, floor });
  }
  return prepared;
};

/** log-processor's worst-case line classification, as shipped and without the cut. */
const runLineClassification = async (): Promise<LineClassificationFigures> => {
  progress(`line classification: ${settings.lineRounds} rounds of the worst lines, 1 to 256 KB`);
  const timings = await measureLineClassification(root, { rounds: settings.lineRounds });
  return {
    classifiedLength: MAX_CLASSIFIED_LENGTH,
    rounds: settings.lineRounds,
    timings,
    flatness: flatness(timings),
  };
};

/** log-processor's largest allowed batch of tiny events, in fresh processes. */
const runWorstBatch = async (): Promise<WorstBatchFigures> => {
  progress(
    `largest allowed batch: ${settings.invocationRounds} round(s) of ${MAX_UNZIPPED_BYTES.toLocaleString('en-US')}-byte batches`,
  );
  const batches = await measureWorstBatches({
    bundle: bundle('log-processor'),
    bytes: MAX_UNZIPPED_BYTES,
    rounds: settings.invocationRounds,
  });
  return { maxUnzippedBytes: MAX_UNZIPPED_BYTES, rounds: settings.invocationRounds, batches };
};

/**
 * infra-scaler's reconcile at scale: EC2 served from memory, the other services by an
 * emulator of its own behind a pass-through proxy, every AWS call counted by action.
 */
const runReconcile = (): Promise<ReconcileFigures[]> => {
  progress(
    `infra-scaler reconcile: ${settings.reconcileRuns} run(s) each of nothing due at ${SCHEDULED_INSTANCES_SMALL} and ${SCHEDULED_INSTANCES} scheduled instances, and of ${SCHEDULED_TRANSITIONS} transitions at ${SCHEDULED_INSTANCES}`,
  );
  return measureReconcile({
    bundle: bundle('infra-scaler'),
    runs: settings.reconcileRuns,
    instances: SCHEDULED_INSTANCES,
    smallInstances: SCHEDULED_INSTANCES_SMALL,
    transitions: SCHEDULED_TRANSITIONS,
    progress,
  });
};

/**
 * infra-scaler's reconcile and snapshot-cleanup fanned out across accounts and Regions,
 * every AWS call delayed, at each concurrency.
 */
const runFanout = async (): Promise<FanoutFigures> => {
  progress(
    `fan-out: ${FANOUT_ACCOUNTS} accounts × 4 Regions, ${FANOUT_LATENCY_MS} ms per AWS call, concurrency ${FANOUT_CONCURRENCIES.join(', ')} (at 1: ${FANOUT_ACCOUNTS_AT_ONE} accounts)`,
  );
  const figures = await measureFanout({
    bundle,
    accounts: FANOUT_ACCOUNTS,
    oneAccounts: FANOUT_ACCOUNTS_AT_ONE,
    concurrencies: FANOUT_CONCURRENCIES,
    latencyMs: FANOUT_LATENCY_MS,
    instances: FANOUT_INSTANCES,
    volumes: FANOUT_VOLUMES,
    progress,
  });
  return {
    ...figures,
    extrapolateTo: FANOUT_EXTRAPOLATION,
    defaultConcurrency: DEFAULT_FANOUT_CONCURRENCY,
  };
};

const build = (names: string[] = []) => {
  const built = spawnSync(process.execPath, [join(root, 'scripts/build.ts'), ...names], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) throw new Error('the build failed');
};

/** Prints the outcome of the targets and fails the process under --strict when one is missed. */
const conclude = (targets: BenchTarget[], where: string) => {
  const missed = targets.filter((target) => !target.met);
  console.log(
    missed.length === 0
      ? `Every target met. ${where}`
      : `${missed.length} target(s) missed: ${missed.map((target) => target.target).join('; ')}. ${where}`,
  );
  if (strict && missed.length > 0) process.exitCode = 1;
};

/** Only the parts named with --only: their tables and targets, printed; no results written. */
const runParts = async (parts: Part[]) => {
  const sections: string[] = [];
  const targets: BenchTarget[] = [];
  if (parts.includes('regex')) {
    const figures = await runLineClassification();
    sections.push(renderLineClassification(figures));
    targets.push(...lineClassificationTargets(figures));
  }
  if (parts.includes('batch-memory')) {
    build(['log-processor']);
    const figures = await runWorstBatch();
    sections.push(renderWorstBatch(figures));
    targets.push(...worstBatchTargets(figures));
  }
  if (parts.includes('reconcile')) {
    build(['infra-scaler']);
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_EC2_METADATA_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    const figures = await runReconcile();
    sections.push(renderReconcile(figures));
    targets.push(...reconcileTargets(figures));
  }
  if (parts.includes('fanout')) {
    const names = ['infra-scaler', 'snapshot-cleanup'];
    build(names);
    // A copy of the bundles, as main() takes, so that a build in the same tree meanwhile
    // does not change them under the run.
    const tmp = mkdtempSync(join(tmpdir(), 'nightshift-bench-'));
    try {
      for (const name of names) {
        cpSync(join(root, 'dist', name), join(tmp, 'dist', name), { recursive: true });
      }
      built = tmp;
      const figures = await runFanout();
      sections.push(renderFanout(figures));
      targets.push(...fanoutTargets(figures));
    } finally {
      built = root;
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  console.log(sections.join('\n'));
  console.log(
    targets.map((t) => `- ${t.met ? 'met' : '**missed**'}: ${t.target} (${t.detail})`).join('\n'),
  );
  conclude(targets, '(Only some parts ran: bench/results/ is unchanged.)');
};

const main = async () => {
  const started = performance.now();
  build();
  const tmp = mkdtempSync(join(tmpdir(), 'nightshift-bench-'));
  cpSync(join(root, 'dist'), join(tmp, 'dist'), { recursive: true });
  built = tmp;
  let moto: MotoServer | undefined;
  let proxy: FaultProxy | undefined;
  try {
    progress('building the SDK-only floors');
    const prepared = await prepareBundles(tmp);

    // Every function, with and without source maps, its floor and the empty process, in one
    // rotation.
    const coldTargets: ColdTarget[] = [
      { id: 'empty' },
      ...prepared.flatMap(({ analysis: { name }, floor }): ColdTarget[] => [
        { id: `fn:${name}`, path: bundle(name) },
        { id: `maps:${name}`, path: bundle(name), sourceMaps: true },
        { id: `floor:${name}`, path: floor.path },
      ]),
    ];
    progress(
      `cold starts: ${settings.coldStartRounds} rounds of ${coldTargets.length} fresh processes`,
    );
    const coldEnv: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'nightshift-bench',
      // The run history, as the template sets it for the jobs and the morning report.
      HISTORY_TABLE: 'nightshift-history-bench',
    };
    delete coldEnv.NODE_COMPILE_CACHE;
    delete coldEnv.NODE_OPTIONS;
    const cold = await measureColdStarts(coldTargets, {
      rounds: settings.coldStartRounds,
      env: coldEnv,
    });
    const coldOf = (id: string): ColdResult => {
      const found = cold.find((result) => result.id === id);
      if (!found) throw new Error(`no cold start measured for ${id}`);
      return found;
    };

    moto = await startMoto();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_EC2_METADATA_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    const batch = generateLogBatch({ count: LOG_EVENTS, seed: 20261128 });

    progress(`peak memory: ${settings.invocationRounds} night(s) on the emulator`);
    const nights: InvocationSample[][] = [];
    for (let night = 0; night < settings.invocationRounds; night += 1) {
      nights.push(
        await measureNight({
          root,
          dist: join(built, 'dist'),
          functions: FUNCTIONS,
          moto,
          bigBatch: batch,
        }),
      );
    }

    progress(`log-processor throughput: ${settings.throughputRuns} runs`);
    const warmup = 3;
    const instantSns = await startInstantSns();
    let throughput: ThroughputResult;
    let alertsAnswered: number;
    try {
      throughput = await measureThroughput(bundle('log-processor'), batch, {
        runs: settings.throughputRuns,
        warmup,
        env: {
          ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:nightshift-alerts',
          AWS_ENDPOINT_URL_SNS: instantSns.endpoint,
        },
      });
      alertsAnswered = instantSns.published().messages;
    } finally {
      await instantSns.stop();
    }
    // Every invocation must have sent its alert, or the handler skipped work it should do.
    if (alertsAnswered !== settings.throughputRuns + warmup || !throughput.summary.alertMessageId) {
      throw new Error(
        `log-processor sent ${alertsAnswered} alerts in ${settings.throughputRuns + warmup} invocations`,
      );
    }

    const lineClassification = await runLineClassification();
    const worstBatch = await runWorstBatch();

    progress(
      `snapshot-cleanup: ${settings.cleanupRuns} run(s) × 2 concurrencies of ${SNAPSHOTS} snapshots`,
    );
    proxy = await startFaultProxy({ target: moto.endpoint, rate: 0 });
    const cleanupRuns: Awaited<ReturnType<typeof runCleanup>>[] = [];
    for (let run = 0; run < settings.cleanupRuns; run += 1) {
      for (const concurrency of run % 2 === 0 ? [1, undefined] : [undefined, 1]) {
        const outcome = await runCleanup({
          bundle: bundle('snapshot-cleanup'),
          moto,
          proxy,
          count: SNAPSHOTS,
          concurrency,
        });
        progress(
          `  concurrency ${concurrency ?? 'default'}: ${outcome.deleted} deleted in ${round(outcome.handlerMs / 1000, 1)} s`,
        );
        cleanupRuns.push(outcome);
      }
    }

    const reconcile = await runReconcile();
    const fanout = await runFanout();

    // Assemble.
    const emptyNode = coldOf('empty');
    const functions: FunctionResult[] = prepared.map(({ analysis, floor }) => {
      const name = analysis.name;
      const fn = coldOf(`fn:${name}`);
      const base = coldOf(`floor:${name}`);
      const maps = coldOf(`maps:${name}`);
      // Paired within each round, so a slow moment of the machine weighs on both alike.
      const ratio = median(fn.samples.map((ms, i) => ms / (base.samples[i] ?? Number.NaN)));
      const samples = nights.flat().filter((sample) => sample.function === name);
      const steps = [...new Set(samples.map((sample) => sample.step))].map((step) => {
        const of = samples.filter((sample) => sample.step === step);
        return {
          step,
          maxRssMb: median(of.map((s) => s.maxRssMb)),
          handlerMs: median(of.map((s) => s.handlerMs)),
          errors: of.filter((s) => s.error).length,
        };
      });
      const heaviest = steps.reduce(
        (top, step) => (step.maxRssMb > top.maxRssMb ? step : top),
        steps[0] ?? { step: '(none)', maxRssMb: Number.NaN, handlerMs: 0, errors: 0 },
      );
      return {
        name,
        bundleKb: analysis.kb,
        ownKb: analysis.ownKb,
        contributors: analysis.contributors.slice(0, 6),
        sdkClients: Object.keys(analysis.sdkImports).map((pkg) => pkg.replace('@aws-sdk/', '')),
        floorKb: floor.kb,
        coldStart: {
          ms: fn.wallMs,
          floorMs: base.wallMs,
          ratio,
          met: ratio <= COLD_START_TARGET,
          importMs: fn.importMs,
          floorImportMs: base.importMs,
          rssAfterImportMb: fn.maxRssMb,
          floorRssAfterImportMb: base.maxRssMb,
        },
        sourceMaps: { ms: maps.wallMs, rssAfterImportMb: maps.maxRssMb },
        memory: {
          maxRssMb: heaviest.maxRssMb,
          step: heaviest.step,
          met: heaviest.maxRssMb < RSS_TARGET_MB,
          steps,
        },
      };
    });

    const jsonMb = batch.jsonBytes / 1024 / 1024;
    const rate = (ms: number) => ({
      ms,
      eventsPerSecond: batch.events / (ms / 1000),
      mbPerSecond: jsonMb / (ms / 1000),
    });
    const throughputFigures = {
      events: batch.events,
      jsonMb,
      gzipKb: batch.gzipBytes / 1024,
      errorLines: throughput.summary.errorCount ?? 0,
      criticalLines: throughput.summary.criticalCount ?? 0,
      runs: throughput.runs,
      alertsAnswered,
      handler: rate(throughput.handlerMs),
      baseline: rate(throughput.baselineMs),
      ratio: throughput.ratio,
      met: throughput.ratio >= THROUGHPUT_TARGET,
    };

    const cleanup: CleanupFigures[] = [1, undefined].map((concurrency) => {
      const runs = cleanupRuns.filter((run) => run.concurrency === concurrency);
      const actions = [...new Set(runs.flatMap((run) => Object.keys(run.calls)))].sort();
      return {
        concurrency: concurrency === undefined ? 'default (unset)' : String(concurrency),
        runs: runs.length,
        deleted: median(runs.map((run) => run.deleted)),
        failed: median(runs.map((run) => run.failed)),
        handlerSeconds: median(runs.map((run) => run.handlerMs)) / 1000,
        wallSeconds: median(runs.map((run) => run.wallMs)) / 1000,
        calls: median(
          runs.map((run) => Object.values(run.calls).reduce((sum, count) => sum + count, 0)),
        ),
        callsByAction: Object.fromEntries(
          actions.map((action) => [action, median(runs.map((run) => run.calls[action] ?? 0))]),
        ),
        errors: runs.flatMap((run) => (run.error ? [run.error] : [])),
      };
    });

    const invocationErrors = nights
      .flat()
      .filter((sample) => sample.error)
      .map((sample) => `${sample.function} ${sample.step}: ${sample.error}`);
    const targets: BenchResults['targets'] = [
      ...functions.map((fn) => ({
        target: `${fn.name} cold start ≤ ${COLD_START_TARGET}× its SDK-only floor`,
        met: fn.coldStart.met,
        detail: `${round(fn.coldStart.ms, 0)} ms vs ${round(fn.coldStart.floorMs, 0)} ms, ${round(fn.coldStart.ratio, 2)}×`,
      })),
      ...functions.map((fn) => ({
        target: `${fn.name} peak RSS of an invocation < ${RSS_TARGET_MB} MB`,
        met: fn.memory.met,
        detail: `${round(fn.memory.maxRssMb, 1)} MB, ${fn.memory.step}`,
      })),
      {
        target: `log-processor throughput ≥ ${THROUGHPUT_TARGET}× bare decoding`,
        met: throughputFigures.met,
        detail: `${round(throughputFigures.ratio, 2)}×: ${round(throughputFigures.handler.eventsPerSecond, 0)} vs ${round(throughputFigures.baseline.eventsPerSecond, 0)} events/s`,
      },
      ...lineClassificationTargets(lineClassification),
      ...worstBatchTargets(worstBatch),
      ...reconcileTargets(reconcile),
      ...fanoutTargets(fanout),
      {
        target: 'every measured invocation succeeded',
        met: invocationErrors.length === 0 && cleanup.every((c) => c.errors.length === 0),
        detail:
          [...invocationErrors, ...cleanup.flatMap((c) => c.errors)].join('; ') || 'no errors',
      },
    ];

    const cpu = cpus();
    const results: BenchResults = {
      date: new Date().toISOString().slice(0, 16).replace('T', ' ').concat(' UTC'),
      machine: {
        cpu: cpu[0]?.model.trim() ?? 'unknown',
        cpus: cpu.length,
        memoryGb: Math.round(totalmem() / 1024 ** 3),
        os: `${type()} ${release()}`,
        node: process.version,
      },
      settings,
      emptyNode: { ms: emptyNode.wallMs, rssMb: emptyNode.maxRssMb },
      functions,
      throughput: throughputFigures,
      cleanup,
      lineClassification,
      worstBatch,
      reconcile,
      fanout,
      targets,
    };

    const outdir = join(root, 'bench', 'results');
    mkdirSync(outdir, { recursive: true });
    const markdown = renderMarkdown(results);
    writeFileSync(join(outdir, 'latest.md'), markdown);
    writeFileSync(join(outdir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    // The committed results follow the repository's formatting, so that the lint passes.
    spawnSync(
      'biome',
      ['format', '--write', 'bench/results/latest.json', 'bench/results/latest.md'],
      {
        cwd: root,
        stdio: 'ignore',
      },
    );
    console.log(markdown);
    conclude(
      targets,
      `Results in bench/results/latest.md and latest.json (${round((performance.now() - started) / 1000, 0)} s).`,
    );
  } finally {
    await proxy?.stop();
    await moto?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
};

await (only.length > 0 ? runParts(only as Part[]) : main()).catch((error: Error) => {
  console.error(`bench: ${error.message}`);
  process.exitCode = 2;
});
