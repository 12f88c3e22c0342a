import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Moto } from '@nightshift/testing';
import { seedAccount } from '../demo/seed.ts';
import { invokeMeasured } from './invoke.ts';
import type { LogBatch } from './logBatch.ts';

/** One step of the demo's night, measured. */
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
 * Plays the demo's night on a freshly seeded emulated account, each step a fresh process
 * running the built bundle, and records each invocation's peak RSS; the log-processor
 * also gets the throughput benchmark's large batch.
 *
 * @example
 * const samples = await measureDemoNight({ root, moto, bigBatch });
 */
export const measureDemoNight = async ({
  root,
  moto,
  bigBatch,
}: {
  root: string;
  moto: Moto;
  bigBatch: LogBatch;
}): Promise<InvocationSample[]> => {
  await moto.reset();
  const account = await seedAccount(moto);
  const sink = await startWebhookSink();
  const env = {
    SNS_TOPIC_ARN: account.reportsTopic,
    ALERT_TOPIC_ARN: account.alertsTopic,
    SLACK_WEBHOOK_URL: `${sink.base}/slack/services/T000/B000/bench`,
    TEAMS_WEBHOOK_URL: `${sink.base}/teams/workflows/bench`,
  };
  const steps: [name: string, step: string, event: unknown][] = [
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
  const samples: InvocationSample[] = [];
  try {
    for (const [name, step, event] of steps) {
      const invocation = await invokeMeasured(join(root, 'dist', name, 'index.mjs'), event, {
        env,
        functionName: name,
      });
      samples.push({
        function: name,
        step,
        maxRssMb: invocation.maxRssMb,
        handlerMs: invocation.handlerMs,
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
