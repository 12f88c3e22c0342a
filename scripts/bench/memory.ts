import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { invokeBundle, type Moto } from '@nightshift/testing';
import { HISTORY_TABLE, seedHistory } from '../demo/report.ts';
import { type DemoAccount, seedAccount } from '../demo/seed.ts';
import type { FunctionManifest } from '../lib/functions.ts';
import { readSmokeEvent } from '../lib/smokeEvent.ts';
import type { LogBatch } from './logBatch.ts';

/** One step of the night, measured. */
export interface InvocationSample {
  function: string;
  step: string;
  maxRssMb: number;
  handlerMs: number;
  error?: string;
}

/** A stand-in for the Slack and Teams webhooks that accepts every post. */
const startWebhookSink = async () => {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200).end());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
};

/**
 * The night's cases, in order: the demo's story, and log-processor with the throughput
 * benchmark's large batch. A function of the list without a case runs its smoke event.
 */
const nightCases = (
  account: DemoAccount,
  bigBatch: LogBatch,
): [name: string, step: string, event: unknown][] => [
  ['deploy-notifier', 'failed deployment', account.failedDeployment],
  ['infra-scaler', 'scale_down', { action: 'scale_down', environment: 'staging' }],
  ['backup-manager', 'backup all', { backup_type: 'all', environment: 'production' }],
  ['snapshot-cleanup', 'cleanup', {}],
  [
    'log-processor',
    'demo batch (5 events)',
    { awslogs: { data: gzipSync(JSON.stringify(account.logBatch)).toString('base64') } },
  ],
  ['log-processor', `${bigBatch.events.toLocaleString('en-US')}-event batch`, bigBatch.event],
  ['infra-scaler', 'scale_up', { action: 'scale_up', environment: 'staging' }],
  ['infra-scaler', 'check', { action: 'check', environment: 'staging' }],
];

/**
 * Plays the night on a freshly seeded emulated account, each step a fresh process running
 * the built bundle, and records each invocation's peak RSS. Every function of the list runs
 * at least once. Source maps are off, as in earlier runs; the cold-start figures show what
 * they add at import.
 *
 * @example
 * const samples = await measureNight({ root, dist, functions, moto, bigBatch });
 */
export const measureNight = async ({
  root,
  dist,
  functions,
  moto,
  bigBatch,
  sourceMaps = false,
}: {
  root: string;
  /** Where the built bundles are: `<dist>/<name>/index.mjs`. */
  dist: string;
  functions: readonly FunctionManifest[];
  moto: Moto;
  bigBatch: LogBatch;
  /** With Node's `--enable-source-maps`, as the template's `NODE_OPTIONS` sets (default off). */
  sourceMaps?: boolean;
}): Promise<InvocationSample[]> => {
  await moto.reset();
  const account = await seedAccount(moto);
  await seedHistory(process.env.AWS_REGION ?? 'eu-west-1');
  const sink = await startWebhookSink();
  const env = {
    HISTORY_TABLE,
    SNS_TOPIC_ARN: account.reportsTopic,
    ALERT_TOPIC_ARN: account.alertsTopic,
    SLACK_WEBHOOK_URL: `${sink.base}/slack/services/T000/B000/bench`,
    TEAMS_WEBHOOK_URL: `${sink.base}/teams/workflows/bench`,
  };
  const cases = nightCases(account, bigBatch);
  const unknown = cases.filter(([name]) => !functions.some((fn) => fn.name === name));
  if (unknown.length > 0) throw new Error(`no function named ${unknown[0]?.[0]}`);
  const values = { stage: 'staging', scaledEnvironment: 'staging', now: new Date() };
  const steps = [
    ...cases,
    ...functions
      .filter((fn) => !cases.some(([name]) => name === fn.name))
      .map((fn) => [fn.name, 'smoke event', readSmokeEvent(root, fn, values)] as const),
  ];
  const samples: InvocationSample[] = [];
  try {
    for (const [name, step, event] of steps) {
      const invocation = await invokeBundle(join(dist, name, 'index.mjs'), event, {
        env,
        functionName: name,
        sourceMaps,
      });
      samples.push({
        function: name,
        step,
        maxRssMb: invocation.maxRssMb ?? Number.NaN,
        handlerMs: invocation.handlerMs ?? Number.NaN,
        ...(invocation.error
          ? { error: `${invocation.error.name}: ${invocation.error.message}` }
          : {}),
      });
    }
  } finally {
    await sink.close();
  }
  return samples;
};
