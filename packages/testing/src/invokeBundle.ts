import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** What one invocation of a built bundle gave back. */
export interface BundleInvocation<R = unknown> {
  /** The handler's return value, when it returned. */
  result?: R;
  /** The error it threw, when it threw (name and message, as Lambda reports them). */
  error?: { name: string; message: string };
  /** Every JSON line the function logged (log lines and EMF metrics). */
  logs: Record<string, unknown>[];
  /** Everything else it wrote. */
  output: string;
  /** True when `signal` aborted the invocation: the process was killed, nothing returned. */
  killed?: boolean;
  /** Importing the bundle, timed inside the process (absent when killed). */
  importMs?: number;
  /** The handler call alone (absent when killed). */
  handlerMs?: number;
  /** The process's peak resident set size over its whole life, in MB (absent when killed). */
  maxRssMb?: number;
}

// The fake Lambda context, as plain JavaScript: the child imports it without type stripping.
const CONTEXT_URL = new URL('./lambdaContext.mjs', import.meta.url).href;

// Runs in the child: loads the bundle as Lambda does (a fresh Node.js process, an ESM
// import of the file), invokes the handler once, and sends the outcome back on fd 3. The
// invocation comes on standard input (an event may be larger than an environment variable
// can be). The peak RSS is Linux's VmHWM: getrusage's maxrss of a spawned child starts at
// its parent's size, which the fork copies.
const RUNNER = `
import { readFileSync, writeSync } from 'node:fs';
const { bundleUrl, contextUrl, exportName, event, functionName, timeoutMs } = JSON.parse(readFileSync(0, 'utf8'));
const { createLambdaContext } = await import(contextUrl);
const peakRssKb = () => {
  try {
    const match = /^VmHWM:\\s*(\\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {}
  return process.resourceUsage().maxRSS;
};
const context = createLambdaContext({ functionName, timeoutMs, region: process.env.AWS_REGION });
const started = performance.now();
let imported = started;
const send = (outcome) => writeSync(3, JSON.stringify({
  ...outcome, importMs: imported - started, handlerMs: performance.now() - imported, maxRssMb: peakRssKb() / 1024,
}));
try {
  const module = await import(bundleUrl);
  imported = performance.now();
  const result = await module[exportName](event, context);
  send({ result: result ?? null });
} catch (error) {
  send({ error: { name: error?.name ?? 'Error', message: error?.message ?? String(error) } });
}
`;

/**
 * Invokes a built function bundle once in a fresh Node.js process, as Lambda loads it,
 * with the given environment on top of this process's, and collects its logs, the time of
 * the import and of the handler, and the process's peak RSS.
 *
 * @example
 * const { result, logs } = await invokeBundle('dist/snapshot-cleanup/index.mjs', {}, {
 *   env: { SNS_TOPIC_ARN: topicArn },
 * });
 *
 * When `signal` aborts, the process is killed at once with SIGKILL, as when Lambda's
 * sandbox dies mid-invocation; the promise resolves, once it has exited, with `killed`
 * and whatever it logged until then.
 */
export const invokeBundle = <R = unknown>(
  bundlePath: string,
  event: unknown,
  {
    env = {},
    exportName = 'handler',
    functionName = 'nightshift-local',
    timeoutMs = 60_000,
    sourceMaps = true,
    signal,
  }: {
    env?: Record<string, string>;
    exportName?: string;
    functionName?: string;
    timeoutMs?: number;
    /** Node's --enable-source-maps, as the template's NODE_OPTIONS sets it (default true). */
    sourceMaps?: boolean;
    /** Kills the process when aborted. */
    signal?: AbortSignal;
  } = {},
): Promise<BundleInvocation<R>> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', RUNNER],
      {
        env: {
          ...process.env,
          AWS_LAMBDA_FUNCTION_NAME: functionName,
          AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
          ...env,
        },
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      },
    );
    // A process killed before it read everything closes the pipe: nothing to report then.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(
      JSON.stringify({
        bundleUrl: pathToFileURL(bundlePath).href,
        contextUrl: CONTEXT_URL,
        exportName,
        event,
        functionName,
        timeoutMs,
      }),
    );
    let output = '';
    let outcome = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      outcome += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5_000);
    let killed = false;
    const kill = () => {
      killed = true;
      child.kill('SIGKILL');
    };
    if (signal?.aborted) kill();
    else signal?.addEventListener('abort', kill, { once: true });
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
      const logs = output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            // A line cut short by the kill.
            return [];
          }
        });
      if (killed) {
        resolve({ logs, output, killed });
        return;
      }
      if (!outcome) {
        reject(new Error(`${bundlePath} exited with ${code} before returning:\n${output}`));
        return;
      }
      resolve({
        ...(JSON.parse(outcome) as Omit<BundleInvocation<R>, 'logs' | 'output' | 'killed'>),
        logs,
        output,
      });
    });
  });
