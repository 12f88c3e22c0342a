import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LogBatch } from './logBatch.ts';
import { median } from './stats.ts';

/** Handler against bare decoding, in one process, on the same batch. */
export interface ThroughputResult {
  runs: number;
  handlerMs: number;
  baselineMs: number;
  /** Baseline time over handler time within each pair of runs, the median of those. */
  ratio: number;
  /** What the handler reported for the batch (the last run). */
  summary: {
    processedEvents?: number;
    errorCount?: number;
    criticalCount?: number;
    alertMessageId?: string;
  };
}

// One process: the built handler, warmed like a warm Lambda, and the baseline of bare
// base64 + gunzip + JSON.parse + one regular expression test per line, run alternately.
const WORKER = `
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
const [specFile, outFile] = process.argv.slice(1);
const { bundleUrl, contextUrl, event, runs, warmup } = JSON.parse(readFileSync(specFile, 'utf8'));
const { createLambdaContext } = await import(contextUrl);
const { handler } = await import(bundleUrl);
const PATTERN = /error|fatal|critical|exception/i;
const baseline = (data) => {
  const payload = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'));
  let matches = 0;
  for (const logEvent of payload.logEvents) if (PATTERN.test(logEvent.message)) matches += 1;
  return matches;
};
const time = async (fn) => {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
};
// The event is not changed by the handler (validation returns new objects), so it is reused.
const runHandler = () =>
  handler(event, createLambdaContext({ functionName: 'log-processor', timeoutMs: 60000 }));
const runBaseline = () => baseline(event.awslogs.data);
for (let i = 0; i < warmup; i += 1) {
  await runHandler();
  runBaseline();
}
const handlerMs = [];
const baselineMs = [];
let summary = {};
for (let i = 0; i < runs; i += 1) {
  const pair = i % 2 === 0 ? [runHandler, runBaseline] : [runBaseline, runHandler];
  for (const fn of pair) {
    const { ms, value } = await time(fn);
    if (fn === runHandler) { handlerMs.push(ms); summary = value; }
    else baselineMs.push(ms);
  }
}
writeFileSync(outFile, JSON.stringify({ handlerMs, baselineMs, summary }));
`;

/**
 * Runs the built log-processor handler on `batch` `runs` times in one process, alternating
 * with the bare-decoding baseline, after `warmup` unmeasured runs of each; medians, and
 * the median of the ratios within each pair.
 *
 * @example
 * const { handlerMs, baselineMs } = await measureThroughput(bundle, batch, { runs: 15, env });
 */
export const measureThroughput = async (
  bundlePath: string,
  batch: LogBatch,
  { runs, warmup = 3, env }: { runs: number; warmup?: number; env: Record<string, string> },
): Promise<ThroughputResult> => {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-bench-throughput-'));
  const specFile = join(dir, 'spec.json');
  const outFile = join(dir, 'outcome.json');
  writeFileSync(
    specFile,
    JSON.stringify({
      bundleUrl: pathToFileURL(bundlePath).href,
      // The fake Lambda context of @nightshift/testing (Node.js strips its types).
      contextUrl: new URL('../../packages/testing/src/lambdaContext.ts', import.meta.url).href,
      event: batch.event,
      runs,
      warmup,
    }),
  );
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--input-type=module', '-e', WORKER, specFile, outFile],
          {
            env: { ...process.env, AWS_LAMBDA_FUNCTION_NAME: 'log-processor', ...env },
            // The handler's logs and EMF metrics go to stdout: not wanted here.
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        let output = '';
        child.stderr.on('data', (chunk: Buffer) => {
          output += chunk.toString();
        });
        child.once('error', reject);
        child.once('close', (exitCode) => resolve({ code: exitCode, output }));
      },
    );
    if (code !== 0) throw new Error(`the throughput worker exited with ${code}:\n${output}`);
    const outcome = JSON.parse(readFileSync(outFile, 'utf8')) as {
      handlerMs: number[];
      baselineMs: number[];
      summary: ThroughputResult['summary'];
    };
    return {
      runs,
      handlerMs: median(outcome.handlerMs),
      baselineMs: median(outcome.baselineMs),
      // Paired within each round, so a slow moment of the machine weighs on both sides alike.
      ratio: median(
        outcome.baselineMs.map((ms, run) => ms / (outcome.handlerMs[run] ?? Number.NaN)),
      ),
      summary: outcome.summary,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
