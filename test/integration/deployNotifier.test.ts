import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { eventBridgeTwin, invokeBundle, notificationOf } from '@nightshift/testing';
import { afterEach, describe, expect, it } from 'vitest';

const bundle = resolve(import.meta.dirname, '../../dist/deploy-notifier/index.mjs');
const event = (name: string) =>
  JSON.parse(
    readFileSync(
      resolve(import.meta.dirname, `../../functions/deploy-notifier/events/${name}.json`),
      'utf8',
    ),
  );

/**
 * A local stand-in for Slack and Teams. The n-th request gets the n-th answer (the last one
 * repeats): an HTTP status, or `drop` to cut the connection. A post arrives (is recorded)
 * only when it is answered with success.
 */
const receivers: ReturnType<typeof createServer>[] = [];
const startReceiver = async (answers: (number | 'drop')[] = [200]) => {
  const posts: { path: string; body: Record<string, unknown> }[] = [];
  let requests = 0;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const answer = answers[Math.min(requests, answers.length - 1)] ?? 200;
      requests += 1;
      if (answer === 'drop') {
        request.socket.destroy();
        return;
      }
      if (answer < 300) posts.push({ path: request.url ?? '', body: JSON.parse(body) });
      response.writeHead(answer).end();
    });
  });
  receivers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    requests: () => requests,
  };
};
afterEach(async () => {
  await Promise.all(
    receivers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((done) => server.close(done));
    }),
  );
});

/**
 * A stand-in for the CodePipeline API that answers every call with a server error, or
 * never answers at all; it counts the requests of each operation.
 */
const startCodePipeline = async (answer: 'error' | 'silence') => {
  const requests: Record<string, number> = {};
  const server = createServer((request, response) => {
    const operation = String(request.headers['x-amz-target']).split('.').at(-1) ?? '';
    requests[operation] = (requests[operation] ?? 0) + 1;
    request.resume();
    if (answer === 'error') {
      response
        .writeHead(500, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ __type: 'InternalFailure', message: 'try later' }));
    }
  });
  receivers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
};

/**
 * A stand-in for the CodePipeline API that answers each operation with the given body, or
 * with a server error when it has none; it counts the requests of each operation.
 */
const startCodePipelineAnswering = async (answers: Record<string, unknown>) => {
  const requests: Record<string, number> = {};
  const server = createServer((request, response) => {
    const operation = String(request.headers['x-amz-target']).split('.').at(-1) ?? '';
    requests[operation] = (requests[operation] ?? 0) + 1;
    request.resume();
    const body = answers[operation];
    response
      .writeHead(body ? 200 : 500, { 'content-type': 'application/x-amz-json-1.1' })
      .end(JSON.stringify(body ?? { __type: 'InternalFailure', message: 'try later' }));
  });
  receivers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
};

describe('deploy-notifier through the built bundle', () => {
  it('posts a failed action to Slack and Teams, without the webhook secrets in its logs', async () => {
    // Prepare
    const receiver = await startReceiver();
    const env = {
      SLACK_WEBHOOK_URL: `${receiver.base}/slack/T000/B000/slack-secret-path`,
      TEAMS_WEBHOOK_URL: `${receiver.base}/teams/workflows/teams-secret-path?sig=teams-signature`,
    };

    // Act
    const { result, error, output } = await invokeBundle(bundle, event('action-failed'), {
      env,
      functionName: 'deploy-notifier',
    });

    // Assess
    expect(error).toBeUndefined();
    expect(result).toMatchObject({
      pipeline: 'payments-api',
      state: 'FAILED',
      notified: ['slack', 'teams'],
      failed: [],
    });
    const slack = receiver.posts.find((post) => post.path.startsWith('/slack/'));
    const teams = receiver.posts.find((post) => post.path.startsWith('/teams/'));
    expect(receiver.posts).toHaveLength(2);
    expect(slack?.body).toMatchObject({
      text: 'payments-api / Build / UnitTests: failed',
      attachments: [{ color: '#d72b3f' }],
    });
    expect(JSON.stringify(slack?.body)).toContain('Build terminated with state: FAILED');
    expect(teams?.body).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }],
    });
    expect(output).not.toMatch(/slack-secret-path|teams-secret-path|teams-signature/);
  });

  it('fails the invocation when a webhook is gone, naming the destination', async () => {
    // Prepare
    const receiver = await startReceiver([404]);

    // Act
    const { error, output } = await invokeBundle(bundle, event('pipeline-failed'), {
      env: { SLACK_WEBHOOK_URL: `${receiver.base}/slack/revoked-secret-path` },
    });

    // Assess
    expect(error).toEqual({
      name: 'Error',
      message: 'Delivery failed: slack: webhook answered 404 Not Found',
    });
    expect(receiver.requests()).toBe(1);
    expect(receiver.posts).toEqual([]);
    expect(output).not.toContain('revoked-secret-path');
  });

  it('delivers exactly one message when the webhook fails intermittently', async () => {
    // Prepare: cut off, overloaded, rate-limited, then fine.
    const receiver = await startReceiver(['drop', 503, 429, 200]);

    // Act
    const { result, error } = await invokeBundle(bundle, event('pipeline-failed'), {
      env: { SLACK_WEBHOOK_URL: `${receiver.base}/slack/flaky-secret-path` },
    });

    // Assess
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ notified: ['slack'], failed: [] });
    expect(receiver.requests()).toBe(4);
    expect(receiver.posts).toHaveLength(1);
  });

  it('fails the invocation when the webhook keeps failing past the retries', async () => {
    // Prepare
    const receiver = await startReceiver(['drop', 503]);

    // Act
    const { error } = await invokeBundle(bundle, event('pipeline-failed'), {
      env: {
        SLACK_WEBHOOK_URL: `${receiver.base}/slack/down-secret-path`,
        DELIVERY_ATTEMPTS: '3',
      },
    });

    // Assess
    expect(error).toEqual({
      name: 'Error',
      message:
        'Delivery failed: slack: webhook answered 503 Service Unavailable; gave up after retries',
    });
    expect(receiver.requests()).toBe(3);
    expect(receiver.posts).toEqual([]);
  });

  it.each(['error', 'silence'] as const)(
    'sends the message when every CodePipeline look-up answers with %s, trying each at most twice',
    async (answer) => {
      // Prepare
      const receiver = await startReceiver();
      const codepipeline = await startCodePipeline(answer);

      // Act
      const { result, error, logs } = await invokeBundle(bundle, event('pipeline-failed'), {
        env: {
          SLACK_WEBHOOK_URL: `${receiver.base}/slack/lookups-secret-path`,
          AWS_ENDPOINT_URL: codepipeline.endpoint,
        },
      });

      // Assess
      expect(error).toBeUndefined();
      expect(result).toMatchObject({ notified: ['slack'], failed: [] });
      expect(receiver.posts).toHaveLength(1);
      expect(Object.keys(codepipeline.requests).sort()).toEqual([
        'GetPipelineExecution',
        'ListActionExecutions',
      ]);
      for (const count of Object.values(codepipeline.requests)) {
        expect(count).toBeGreaterThanOrEqual(1);
        expect(count).toBeLessThanOrEqual(2);
      }
      expect(logs.filter((line) => line.level === 'WARN')).toHaveLength(2);
    },
  );

  it('refuses a webhook host that is not allowed, and a redirect, sending nothing', async () => {
    // Prepare: the receiver sends every post on elsewhere.
    const elsewhere = await startReceiver();
    const redirecting = createServer((request, response) => {
      request.resume();
      response.writeHead(308, { location: `${elsewhere.base}/caught` }).end();
    });
    receivers.push(redirecting);
    await new Promise<void>((done) => redirecting.listen(0, '127.0.0.1', done));
    const redirectBase = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`;

    // Act
    const notAllowed = await invokeBundle(bundle, event('pipeline-failed'), {
      env: { SLACK_WEBHOOK_URL: 'https://collector.example.com/services/host-secret-path' },
    });
    const redirected = await invokeBundle(bundle, event('pipeline-failed'), {
      env: { SLACK_WEBHOOK_URL: `${redirectBase}/slack/redirect-secret-path` },
    });

    // Assess
    expect(notAllowed.error).toEqual({
      name: 'ConfigError',
      message:
        'Invalid configuration: SLACK_WEBHOOK_URL: slack: the webhook host collector.example.com is not one of the allowed hosts (WEBHOOK_ALLOWED_HOSTS)',
    });
    expect(redirected.error).toEqual({
      name: 'Error',
      message: 'Delivery failed: slack: webhook answered with a redirect, not followed',
    });
    expect(elsewhere.requests()).toBe(0);
    expect(`${notAllowed.output}${redirected.output}`).not.toMatch(
      /host-secret-path|redirect-secret-path/,
    );
  });

  it('posts an SNS-wrapped failed pipeline notification exactly as its EventBridge twin', async () => {
    // Prepare: CodePipeline answers the look-ups for the captured execution.
    const sns = event('sns-pipeline-failed');
    const codepipeline = await startCodePipelineAnswering({
      GetPipelineExecution: {
        pipelineExecution: {
          pipelineName: 'workflow-resources-pipeline-test-sandbox-pipeline',
          pipelineExecutionId: '0a16e1e1-cd3f-4e81-b2e6-bbd9d78b2967',
          status: 'Failed',
          artifactRevisions: [
            {
              name: 'Source',
              revisionId: '0f3c2a1b9e8d7c6b5a49382716050f1e2d3c4b5a',
              revisionSummary: 'Add the Airbyte connection tests',
              revisionUrl: 'https://github.com/acme/workflows/commit/0f3c2a1b',
            },
          ],
          trigger: { triggerType: 'Webhook', triggerDetail: 'arn:aws:codeconnections:x' },
        },
      },
      ListActionExecutions: {
        actionExecutionDetails: [
          { stageName: 'Source', actionName: 'Source', status: 'Succeeded' },
          {
            stageName: 'TEST',
            actionName: 'TestAirbyteConnections',
            status: 'Failed',
            output: {
              executionResult: {
                externalExecutionSummary: 'Build terminated with state: FAILED',
                externalExecutionUrl:
                  'https://us-east-1.console.aws.amazon.com/codesuite/codebuild/projects/tests/build/tests:1/log',
                errorDetails: { code: 'JobFailed', message: 'Build terminated with state: FAILED' },
              },
            },
          },
        ],
      },
    });
    const snsReceiver = await startReceiver();
    const twinReceiver = await startReceiver();
    const envFor = (base: string) => ({
      SLACK_WEBHOOK_URL: `${base}/slack/T000/B000/sns-secret-path`,
      TEAMS_WEBHOOK_URL: `${base}/teams/workflows/sns-secret-path?sig=teams-signature`,
      AWS_ENDPOINT_URL: codepipeline.endpoint,
    });

    // Act
    const fromSns = await invokeBundle(bundle, sns, { env: envFor(snsReceiver.base) });
    const fromTwin = await invokeBundle(bundle, eventBridgeTwin(notificationOf(sns)), {
      env: envFor(twinReceiver.base),
    });

    // Assess
    expect(fromSns.error).toBeUndefined();
    expect(fromTwin.error).toBeUndefined();
    expect(fromSns.result).toEqual({
      records: [
        {
          messageId: '302ff896-60ff-5926-b7d4-a3e99c46ba0c',
          pipeline: 'workflow-resources-pipeline-test-sandbox-pipeline',
          state: 'FAILED',
          notified: ['slack', 'teams'],
          failed: [],
        },
      ],
    });
    const byPath = (posts: { path: string; body: unknown }[]) =>
      Object.fromEntries(posts.map((post) => [post.path.split('/')[1], post.body]));
    expect(snsReceiver.posts).toHaveLength(2);
    expect(byPath(snsReceiver.posts)).toEqual(byPath(twinReceiver.posts));
    const slack = JSON.stringify(byPath(snsReceiver.posts).slack);
    expect(slack).toContain('*Failed:* TEST / TestAirbyteConnections');
    expect(slack).toContain('0f3c2a1b9e8d Add the Airbyte connection tests');
    expect(slack).toContain('codebuild/projects/tests/build/tests:1/log');
    expect(codepipeline.requests).toEqual({ GetPipelineExecution: 2, ListActionExecutions: 2 });
    expect(fromSns.output).not.toMatch(/sns-secret-path|teams-signature/);
  });

  it("posts the failure an SNS notification names when CodePipeline cannot be read, and skips a topic's other messages", async () => {
    // Prepare: every look-up fails; the topic also carries a manual approval request.
    const sns = event('sns-pipeline-failed');
    const approval = event('sns-approval-needed');
    const codepipeline = await startCodePipelineAnswering({});
    const receiver = await startReceiver();

    // Act
    const { result, error } = await invokeBundle(
      bundle,
      { Records: [...approval.Records, ...sns.Records] },
      {
        env: {
          SLACK_WEBHOOK_URL: `${receiver.base}/slack/T000/B000/shared-secret-path`,
          AWS_ENDPOINT_URL: codepipeline.endpoint,
        },
      },
    );

    // Assess
    expect(error).toBeUndefined();
    expect(result).toMatchObject({
      records: [
        {
          messageId: '341a58fe-f662-55aa-b071-038041d6eb47',
          skipped: 'not a CodePipeline notification: its source is not aws.codepipeline',
        },
        { messageId: '302ff896-60ff-5926-b7d4-a3e99c46ba0c', notified: ['slack'] },
      ],
    });
    expect(receiver.posts).toHaveLength(1);
    expect(JSON.stringify(receiver.posts[0]?.body)).toContain(
      '*Failed:* TEST / TestAirbyteConnections\\n```Build terminated with state: FAILED```',
    );
  });
});
