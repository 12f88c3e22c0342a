// One fanned-out run of a built function, in a process of its own (started by fanout.ts,
// its settings in BENCH_FANOUT_RUN, its environment the function's): the bundle imported
// once, as one warm container; the scheduled event handed to its handler, which
// dispatches; then the queue drained as Lambda's event source mapping would, `workers`
// invocations of the same handler at once. The mapping's own calls (receive, delete) go
// through the endpoint, neither delayed nor counted. Writes its timings to `resultFile`.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createLambdaContext, drainQueue } from '@nightshift/testing';
import { MAPPING_ACCESS_KEY } from './orgEndpoint.ts';

export interface FanoutRunSettings {
  bundle: string;
  functionName: string;
  event: Record<string, unknown>;
  workers: number;
  /** The endpoint the function calls (its phases are marked there). */
  endpoint: string;
  queueUrl: string;
  queueArn: string;
  resultFile: string;
}

export interface FanoutRunResult {
  dispatched: { runId?: string; status?: string; targets?: number; enqueued?: number };
  dispatchMs: number;
  drainMs: number;
  /** CPU time of this process (user + system) while draining: every worker shares it. */
  drainCpuMs: number;
  invocations: number;
  failures: number;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const settings = JSON.parse(process.env.BENCH_FANOUT_RUN ?? '{}') as FanoutRunSettings;
const { handler } = (await import(pathToFileURL(settings.bundle).href)) as { handler: Handler };
const mark = async (phase: string) => {
  await fetch(`${settings.endpoint}/__bench/phase/${phase}`, { method: 'POST' });
};
const context = () => createLambdaContext({ functionName: settings.functionName });

await mark('dispatch');
const dispatchStarted = performance.now();
const dispatched = (await handler(settings.event, context())) as FanoutRunResult['dispatched'];
const dispatchMs = performance.now() - dispatchStarted;

await mark('drain');
const sqs = new SQSClient({
  endpoint: settings.endpoint,
  region: process.env.AWS_REGION ?? 'eu-west-1',
  credentials: { accessKeyId: MAPPING_ACCESS_KEY, secretAccessKey: 'mapping' },
});
const drainStarted = performance.now();
const cpuBefore = process.cpuUsage();
const drained = await drainQueue({
  sqs,
  queueUrl: settings.queueUrl,
  queueArn: settings.queueArn,
  workers: settings.workers,
  invoke: async (event) =>
    (await handler(event, context())) as { batchItemFailures: { itemIdentifier: string }[] },
});
const drainMs = performance.now() - drainStarted;
const cpu = process.cpuUsage(cpuBefore);
const drainCpuMs = (cpu.user + cpu.system) / 1000;
await mark('done');

const result: FanoutRunResult = { dispatched, dispatchMs, drainMs, drainCpuMs, ...drained };
writeFileSync(settings.resultFile, JSON.stringify(result));
sqs.destroy();
// The SDK's kept-alive sockets would hold the process open.
process.exit(0);
