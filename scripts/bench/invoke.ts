import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** One invocation of a built bundle in a fresh process, with what it cost. */
export interface MeasuredInvocation<R = unknown> {
  result?: R;
  error?: { name: string; message: string };
  /** Importing the bundle, inside the process. */
  importMs: number;
  /** The handler call alone. */
  handlerMs: number;
  /** From spawn to exit. */
  wallMs: number;
  /** Peak resident set size of the process over its whole life. */
  maxRssMb: number;
}

/**
 * The process's own peak RSS, in KB (plain JavaScript for the children). Linux's VmHWM,
 * because getrusage's maxrss of a spawned child starts at its parent's size (the fork
 * copies it) and would hide anything smaller than the benchmark process itself.
 */
export const PEAK_RSS_SOURCE = `
const peakRssKb = () => {
  try {
    const status = process.getBuiltinModule('node:fs').readFileSync('/proc/self/status', 'utf8');
    const match = /^VmHWM:\\s*(\\d+) kB/m.exec(status);
    if (match) return Number(match[1]);
  } catch {}
  return process.resourceUsage().maxRSS;
};
`;

/** A Lambda-like context, as the child builds it (plain JavaScript, shared by the workers). */
export const CONTEXT_SOURCE = `
const makeContext = (functionName, timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true, functionName, functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:' + process.env.AWS_REGION + ':123456789012:function:' + functionName,
    memoryLimitInMB: '128', awsRequestId: crypto.randomUUID(), logGroupName: '/aws/lambda/' + functionName,
    logStreamName: 'bench', getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
};
`;

// The child: the event comes from a file (a log batch is larger than an environment
// variable may be), the outcome goes to another, and nothing else is loaded, so that the
// peak RSS is the bundle's and the event's.
const RUNNER = `
import { readFileSync, writeFileSync } from 'node:fs';
${CONTEXT_SOURCE}
${PEAK_RSS_SOURCE}
const [specFile, outFile] = process.argv.slice(1);
const { bundleUrl, event, functionName, timeoutMs } = JSON.parse(readFileSync(specFile, 'utf8'));
const started = performance.now();
let imported = started;
let outcome;
try {
  const module = await import(bundleUrl);
  imported = performance.now();
  const result = await module.handler(event, makeContext(functionName, timeoutMs));
  outcome = { result: result ?? null };
} catch (error) {
  outcome = { error: { name: error?.name ?? 'Error', message: error?.message ?? String(error) } };
}
const finished = performance.now();
writeFileSync(outFile, JSON.stringify({
  ...outcome,
  importMs: imported - started,
  handlerMs: finished - imported,
  maxRssKb: peakRssKb(),
}));
`;

/**
 * Invokes a built bundle's `handler` once in a fresh Node.js process, as Lambda loads it,
 * and measures it: import time, handler time, wall time, peak RSS.
 *
 * @example
 * const { maxRssMb, error } = await invokeMeasured('dist/log-processor/index.mjs', event, { env });
 */
export const invokeMeasured = async <R = unknown>(
  bundlePath: string,
  event: unknown,
  {
    env = {},
    functionName = 'nightshift-bench',
    timeoutMs = 60_000,
  }: { env?: Record<string, string>; functionName?: string; timeoutMs?: number } = {},
): Promise<MeasuredInvocation<R>> => {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-bench-invoke-'));
  const specFile = join(dir, 'spec.json');
  const outFile = join(dir, 'outcome.json');
  writeFileSync(
    specFile,
    JSON.stringify({ bundleUrl: pathToFileURL(bundlePath).href, event, functionName, timeoutMs }),
  );
  try {
    const started = performance.now();
    const { code, output } = await new Promise<{ code: number | null; output: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--input-type=module', '-e', RUNNER, specFile, outFile],
          {
            env: {
              ...process.env,
              AWS_LAMBDA_FUNCTION_NAME: functionName,
              AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
              ...env,
            },
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        let output = '';
        child.stderr.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.length > 20_000) output = output.slice(-10_000);
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 10_000);
        child.once('error', reject);
        child.once('close', (exitCode) => {
          clearTimeout(timer);
          resolve({ code: exitCode, output });
        });
      },
    );
    const wallMs = performance.now() - started;
    let outcome: Omit<MeasuredInvocation<R>, 'wallMs' | 'maxRssMb'> & { maxRssKb: number };
    try {
      outcome = JSON.parse(readFileSync(outFile, 'utf8'));
    } catch {
      throw new Error(`${bundlePath} exited with ${code} before returning:\n${output}`);
    }
    const { maxRssKb, ...rest } = outcome;
    return { ...rest, wallMs, maxRssMb: maxRssKb / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
