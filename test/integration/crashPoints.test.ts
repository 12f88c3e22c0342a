import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { DynamoDBClient, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { dispatch } from '@nightshift/fanout';
import { createSnoozeClaim, signToken } from '@nightshift/links';
import { getClient, resetClients } from '@nightshift/runtime';
import {
  type CrashReport,
  type CrashScenario,
  connectMoto,
  describeKillPoint,
  formatCrashReport,
  runCrashPoints,
  startWebhookReceiver,
  subscribeQueue,
} from '@nightshift/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import * as backups from './scenarios/backupManager.ts';
import * as chat from './scenarios/chatActions.ts';
import { launchInstance } from './scenarios/ec2.ts';
import * as infra from './scenarios/infraScaler.ts';
import { eventOf } from './scenarios/logProcessor.ts';
import * as reconcile from './scenarios/reconcile.ts';
import * as cleanup from './scenarios/snapshotCleanup.ts';

// Crash safety at every call. For each function's scenario, a fault-free run records every
// call to AWS (and to the webhooks); then, for each call, the scenario starts again from the
// same account, the function's process is killed right after that call took effect (before
// its answer arrives), the invocation runs again, and the account must end as in the
// fault-free run. A kill after a call that only reads leaves the account as a kill after
// the change before it, so the kill points are every change plus the first call of each
// invocation (a kill before anything changed).
const moto = connectMoto(inject('moto'));
const dist = (name: string) => resolve(import.meta.dirname, `../../dist/${name}/index.mjs`);
const SCENARIO_TIMEOUT = 600_000;

/** Calls that only read: Describe*, List*, Get* (SQS and SNS reads included). */
const changes = ({ upstream, action }: { upstream: string; action: string }) =>
  upstream !== 'aws' || !/^(Describe|List|Get)/.test(action);

const freshAccount = async () => {
  await moto.reset();
  resetClients();
};

const reportsTopic = async () =>
  (await getClient(SNSClient).send(new CreateTopicCommand({ Name: 'reports' }))).TopicArn ?? '';

/** The report of every scenario, printed at the end of the file. */
const reports: string[] = [];
afterAll(() => {
  if (reports.length > 0) console.log(`Crash points\n${reports.join('\n')}`);
});

/**
 * Runs the kill points of a scenario; the failures, each naming its kill point. `show`
 * adds each kill point's final state to the printed report (what was delivered how often).
 */
const crashFailures = async <S>(
  name: string,
  scenario: CrashScenario<S>,
  show?: (state: S) => string,
) => {
  const report = await runCrashPoints(scenario);
  reports.push(formatCrashReport(name, report as CrashReport<unknown>));
  if (show) {
    reports.push(
      ...report.outcomes.map(
        ({ point, states }) =>
          `  ${describeKillPoint(point)}, then run again: ${states.map(show).join('; ')}`,
      ),
    );
  }
  return {
    report,
    failures: report.outcomes.flatMap((outcome) =>
      outcome.failures.map((failure) => `${describeKillPoint(outcome.point)}: ${failure}`),
    ),
  };
};

describe('crash safety at every call', () => {
  it(
    'snapshot-cleanup deletes the same snapshots whatever call it is killed after',
    async () => {
      // Prepare
      const scenario: CrashScenario<Awaited<ReturnType<typeof cleanup.snapshotState>>> = {
        upstreams: { aws: moto.endpoint },
        changes,
        prepare: async () => {
          await freshAccount();
          const account = await cleanup.seedAccount(moto);
          const topic = await reportsTopic();
          return {
            invocations: [
              {
                label: 'cleanup',
                bundle: dist('snapshot-cleanup'),
                event: {},
                functionName: 'snapshot-cleanup',
                env: () => ({ SNS_TOPIC_ARN: topic }),
              },
            ],
            observe: () => cleanup.snapshotState(account),
          };
        },
      };

      // Act
      const { report, failures } = await crashFailures('snapshot-cleanup', scenario);

      // Assess
      expect(report.clean[0]?.oldPlain).toEqual([false, false]);
      expect(report.outcomes.length).toBeGreaterThan(2);
      expect(failures).toEqual([]);
    },
    SCENARIO_TIMEOUT,
  );

  it(
    'infra-scaler sleeps and wakes the same way whatever call it is killed after',
    async () => {
      // Prepare
      const scenario: CrashScenario<Awaited<ReturnType<typeof infra.observe>>> = {
        upstreams: { aws: moto.endpoint },
        changes,
        prepare: async () => {
          await freshAccount();
          const account = await infra.seedAccount();
          const topic = await reportsTopic();
          const step = (action: string) => ({
            label: action,
            bundle: dist('infra-scaler'),
            event: { action, environment: 'staging' },
            functionName: 'infra-scaler',
            env: () => ({ SNS_TOPIC_ARN: topic }),
          });
          return {
            invocations: [step('scale_down'), step('scale_up')],
            observe: () => infra.observe(account),
          };
        },
      };

      // Act
      const { report, failures } = await crashFailures('infra-scaler', scenario);

      // Assess
      expect(report.clean[0]?.staging).toEqual(['stopped', true]);
      expect(report.clean[0]?.database).toBe('stopped');
      expect(report.clean[1]?.staging).toEqual(['running', false]);
      expect(failures).toEqual([]);
    },
    SCENARIO_TIMEOUT,
  );

  it(
    'infra-scaler reconcile brings every scheduled resource to its due state whatever call it is killed after',
    async () => {
      // Prepare: one resource of each case, on schedules due running and due stopped now
      // with hours of margin, so every run of the scenario sees the same due states. The
      // report the last run sends says how it got there (a run with nothing to do sends
      // none); only the account is compared.
      const now = new Date();
      type Seen = {
        account: Awaited<ReturnType<typeof reconcile.observeScheduled>>;
        done: Record<string, string> | undefined;
      };
      const scenario: CrashScenario<Seen> = {
        upstreams: { aws: moto.endpoint },
        changes,
        equivalent: (clean, crashed) =>
          JSON.stringify(crashed.account) === JSON.stringify(clean.account),
        prepare: async () => {
          await freshAccount();
          const account = await reconcile.seedScheduledAccount(now);
          const topic = await reportsTopic();
          const reader = await subscribeQueue({
            sns: getClient(SNSClient),
            sqs: getClient(SQSClient),
            topicArn: topic,
          });
          const received: string[] = [];
          let lastRunAt = 0;
          return {
            invocations: [
              {
                label: 'reconcile',
                bundle: dist('infra-scaler'),
                event: { action: 'reconcile' },
                functionName: 'infra-scaler',
                env: () => {
                  lastRunAt = Date.now();
                  return { SCHEDULES: account.schedules, SNS_TOPIC_ARN: topic };
                },
              },
            ],
            observe: async () => {
              const reports = await reader.receive({ count: 10, timeoutMs: 500 });
              received.push(...reports.map((report) => report.Message ?? ''));
              const last = received.find(
                (message) =>
                  Date.parse(/^started ([^,\s]+)/m.exec(message)?.[1] ?? '') >= lastRunAt,
              );
              return {
                account: await reconcile.observeScheduled(account),
                done: last === undefined ? undefined : reconcile.doneByRole(account, last),
              };
            },
          };
        },
      };

      // Act
      const { report, failures } = await crashFailures(
        'infra-scaler reconcile',
        scenario,
        ({ done }) =>
          done
            ? Object.entries(done)
                .map(([role, line]) => `${role} ${line}`)
                .join(', ')
            : 'no report (nothing to do)',
      );

      // Assess
      const settled = { lastError: false, snoozeUntil: false };
      expect(report.clean[0]?.account).toEqual({
        toStop: { state: 'stopped', lastAction: 'stop', ...settled },
        toStart: { state: 'running', lastAction: 'start', ...settled },
        snoozePassed: { state: 'stopped', lastAction: 'stop', ...settled },
        toRecord: { state: 'running', lastAction: 'start', ...settled },
        settled: { state: 'stopped', lastAction: 'stop', ...settled },
        group: {
          state: '0/5/0',
          lastAction: 'stop',
          savedSize: 'min=2,max=5,desired=3',
          ...settled,
        },
        database: { state: 'stopped', lastAction: 'stop', ...settled },
      });
      expect(report.clean[0]?.done).toEqual({
        toStop: 'stop: stopped',
        toStart: expect.stringMatching(/^start: started/),
        snoozePassed: 'stop: stopped',
        toRecord: 'record: already running; recorded',
        group: expect.stringMatching(/^stop: min and desired 0; sizes saved/),
        database: expect.stringMatching(/^stop: stopped/),
      });
      // Killed after the instances stopped, before their tags: the rerun finds them stopped
      // and records the transition (the snooze comes off with it).
      const afterStop = report.outcomes.find(({ point }) => point.action === 'StopInstances');
      expect(afterStop?.states[0]?.done).toMatchObject({
        toStop: 'record: already stopped; recorded',
        snoozePassed: 'record: already stopped; recorded',
      });
      expect(report.outcomes.length).toBeGreaterThan(5);
      expect(failures).toEqual([]);
    },
    SCENARIO_TIMEOUT,
  );

  it(
    'backup-manager keeps one backup per resource and day whatever call it is killed after',
    async () => {
      // Prepare: two deliveries of the same night's event, as EventBridge may send them. The
      // second expires what the first one's new backups replaced; a delivery run again after
      // a kill does the same, so only the end is compared.
      const scenario: CrashScenario<Awaited<ReturnType<typeof backups.backupState>>> = {
        upstreams: { aws: moto.endpoint },
        changes,
        compare: 'last',
        prepare: async () => {
          await freshAccount();
          const account = await backups.seedAccount(moto);
          const topic = await reportsTopic();
          const delivery = (label: string) => ({
            label,
            bundle: dist('backup-manager'),
            event: { backup_type: 'all', environment: 'production' },
            functionName: 'backup-manager',
            env: () => ({ SNS_TOPIC_ARN: topic }),
          });
          return {
            invocations: [delivery('first delivery'), delivery('second delivery')],
            observe: () => backups.backupState(account),
          };
        },
      };

      // Act
      const { report, failures } = await crashFailures('backup-manager', scenario);

      // Assess
      expect(report.clean[0]?.ebs.filter((role) => role.startsWith('backup of web'))).toHaveLength(
        2,
      );
      expect(report.clean[1]?.ebs).not.toContain('old web backup');
      expect(failures).toEqual([]);
    },
    SCENARIO_TIMEOUT,
  );

  it(
    'log-processor alerts at least once, and at most once per delivery, whatever call it is killed after',
    async () => {
      // Prepare: SNS has no exactly-once publishing; a batch whose process died after the
      // alert went out is delivered again by Lambda and alerts again. The guarantee is that
      // the alert is never lost, and repeated at most once per delivery of the batch.
      const batch = eventOf('DATA_MESSAGE', [
        'INFO processed 503 records',
        'ERROR payment declined',
        'FATAL: database connection failed',
      ]);
      const scenario: CrashScenario<{ alerts: string[]; copies: number }> = {
        upstreams: { aws: moto.endpoint },
        changes,
        equivalent: (clean, crashed) =>
          crashed.alerts.join() === clean.alerts.join() && crashed.copies <= 2 * clean.copies,
        prepare: async () => {
          await freshAccount();
          const sns = getClient(SNSClient);
          const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'alerts' }));
          const reader = await subscribeQueue({
            sns,
            sqs: getClient(SQSClient),
            topicArn: TopicArn,
          });
          const received: string[] = [];
          return {
            invocations: [
              {
                label: 'batch',
                bundle: dist('log-processor'),
                event: batch,
                functionName: 'log-processor',
                env: () => ({ ALERT_TOPIC_ARN: TopicArn }),
              },
            ],
            observe: async () => {
              const alerts = await reader.receive({ count: 10, timeoutMs: 300 });
              received.push(...alerts.map((alert) => alert.Subject ?? ''));
              return { alerts: [...new Set(received)].sort(), copies: received.length };
            },
          };
        },
      };

      // Act
      const { report, failures } = await crashFailures(
        'log-processor',
        scenario,
        ({ copies }) => `${copies} alert(s)`,
      );

      // Assess
      expect(report.clean).toEqual([
        { alerts: ['Nightshift: 1 critical in /aws/lambda/orders-api'], copies: 1 },
      ]);
      expect(failures).toEqual([]);
    },
    SCENARIO_TIMEOUT,
  );

  it(
    'deploy-notifier delivers to every destination at least once whatever call it is killed after',
    async () => {
      // Prepare: a stand-in for Slack and Teams that takes every post. Nothing records what
      // was posted, so a run killed after one destination got the message posts to both
      // again when the event is redriven from the dead-letter queue: the guarantee is that
      // every destination gets it, and no destination more than once per delivery.
      const posts: string[] = [];
      const receiver = createServer((request, response) => {
        request.resume().on('end', () => {
          posts.push((request.url ?? '').split('/')[1] ?? '');
          response.writeHead(200).end();
        });
      });
      await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
      const event = JSON.parse(
        readFileSync(
          resolve(import.meta.dirname, '../../functions/deploy-notifier/events/action-failed.json'),
          'utf8',
        ),
      );
      const scenario: CrashScenario<{ delivered: string[]; copies: Record<string, number> }> = {
        upstreams: {
          aws: moto.endpoint,
          webhooks: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
        },
        changes,
        equivalent: (clean, crashed) =>
          crashed.delivered.join() === clean.delivered.join() &&
          Object.entries(crashed.copies).every(
            ([destination, copies]) => copies <= 2 * (clean.copies[destination] ?? 0),
          ),
        prepare: async () => {
          await freshAccount();
          posts.length = 0;
          return {
            invocations: [
              {
                label: 'notify',
                bundle: dist('deploy-notifier'),
                event,
                functionName: 'deploy-notifier',
                env: ({ webhooks }) => ({
                  SLACK_WEBHOOK_URL: `${webhooks}/slack/hook`,
                  TEAMS_WEBHOOK_URL: `${webhooks}/teams/hook`,
                }),
              },
            ],
            observe: async () => {
              const copies: Record<string, number> = {};
              for (const destination of posts) copies[destination] = (copies[destination] ?? 0) + 1;
              return { delivered: Object.keys(copies).sort(), copies };
            },
          };
        },
      };

      // Act
      try {
        const { report, failures } = await crashFailures(
          'deploy-notifier',
          scenario,
          ({ copies }) =>
            Object.entries(copies)
              .map(([destination, count]) => `${destination} ${count}`)
              .join(', '),
        );

        // Assess
        expect(report.clean).toEqual([
          { delivered: ['slack', 'teams'], copies: { slack: 1, teams: 1 } },
        ]);
        expect(failures).toEqual([]);
      } finally {
        await new Promise((done) => receiver.close(done));
      }
    },
    SCENARIO_TIMEOUT,
  );

  it(
    "chat-actions keeps the link's instance running, and tells the channel at least once, whatever call it is killed after",
    async () => {
      // Prepare: a link to keep two instances running, one of them on its schedule. A use
      // killed half-way leaves its record pending; once that invocation's lease is up (the
      // scenario moves it into the past), the link works again and finishes the job. The
      // note may then go out twice, never not at all.
      const now = Date.now();
      type Seen = {
        kept: string | undefined;
        elsewhere: string | undefined;
        records: string[];
        notes: string[];
        copies: number;
      };
      const scenario: CrashScenario<Seen> = {
        upstreams: { aws: moto.endpoint },
        changes,
        equivalent: (clean, crashed) =>
          JSON.stringify({ ...crashed, copies: 0 }) === JSON.stringify({ ...clean, copies: 0 }) &&
          crashed.copies <= 2 * clean.copies,
        prepare: async () => {
          await freshAccount();
          const [ec2, dynamodb] = [getClient(EC2Client), getClient(DynamoDBClient)];
          await chat.createActionsTable(dynamodb, 'actions');
          const { arn, key } = await chat.createLinkKey(
            getClient(SecretsManagerClient),
            'link-key',
          );
          const onSchedule = await launchInstance(ec2, { 'nightshift:schedule': 'office' });
          const elsewhere = await launchInstance(ec2, { 'nightshift:schedule': 'nights' });
          const topic = await reportsTopic();
          const reader = await subscribeQueue({
            sns: getClient(SNSClient),
            sqs: getClient(SQSClient),
            topicArn: topic,
          });
          const claim = createSnoozeClaim({
            schedule: 'office',
            resources: [`instance:${onSchedule}`, `instance:${elsewhere}`],
            until: new Date(now + 60 * 60_000),
            expires: new Date(now + 30 * 60_000),
            nonce: 'AAECAwQFBgcICQoLDA0ODw',
          });
          const received: string[] = [];
          return {
            invocations: [
              {
                label: 'use the link',
                bundle: dist('chat-actions'),
                event: chat.urlEvent('POST', signToken(claim, key)),
                functionName: 'chat-actions',
                env: () => ({
                  ACTIONS_TABLE: 'actions',
                  LINK_KEY_SECRET: arn,
                  SNS_TOPIC_ARN: topic,
                  ENVIRONMENT: 'staging',
                }),
                afterKill: () => chat.expireLeases(dynamodb, 'actions'),
              },
            ],
            observe: async () => {
              const notes = await reader.receive({ count: 10, timeoutMs: 300 });
              received.push(...notes.map((note) => note.Subject ?? ''));
              const tags = async (id: string) =>
                (await chat.instanceTags(ec2, id))['nightshift:snooze-until'];
              return {
                kept: (await tags(onSchedule)) === claim.until ? "until the link's time" : 'no',
                elsewhere: await tags(elsewhere),
                records: Object.entries(await chat.recordStates(dynamodb, 'actions')).map(
                  ([pk, state]) => `${pk.split('#')[0]} ${state}`,
                ),
                notes: [...new Set(received)].sort(),
                copies: received.length,
              };
            },
          };
        },
      };

      // Act
      const { report, failures } = await crashFailures(
        'chat-actions',
        scenario,
        ({ kept, records, copies }) => `kept ${kept}, record ${records.join()}, ${copies} note(s)`,
      );

      // Assess
      expect(report.clean).toEqual([
        {
          kept: "until the link's time",
          elsewhere: undefined,
          records: ['nonce done'],
          notes: [expect.stringContaining('kept running')],
          copies: 1,
        },
      ]);
      expect(report.outcomes.map(({ point }) => point.action)).toEqual(
        expect.arrayContaining(['UpdateItem', 'CreateTags', 'Publish']),
      );
      expect(failures).toEqual([]);
    },
    SCENARIO_TIMEOUT,
  );

  it(
    'infra-scaler sends each heads-up at least once, and at most twice, whatever call it is killed after',
    async () => {
      // Prepare: a schedule whose stop is 20 minutes away, inside its notice window, and a
      // running instance on it: a reconcile has nothing to change and one heads-up to send,
      // to Slack and by email. A run killed after claiming it leaves it pending; the next
      // run after the lease (moved into the past here) sends it.
      const now = new Date();
      const timezone = 'Europe/Berlin';
      const schedules = reconcile.schedulesText({
        evening: {
          timezone,
          periods: [
            reconcile.periodFrom(now, timezone, -2, 20 / 60),
            reconcile.periodFrom(now, timezone, 2, 3),
          ],
        },
      });
      const receiver = await startWebhookReceiver();
      type Seen = { records: string[]; delivered: string[]; copies: Record<string, number> };
      const scenario: CrashScenario<Seen> = {
        upstreams: { aws: moto.endpoint, webhooks: receiver.base },
        changes,
        equivalent: (clean, crashed) =>
          crashed.records.join() === clean.records.join() &&
          crashed.delivered.join() === clean.delivered.join() &&
          Object.entries(crashed.copies).every(
            ([destination, copies]) => copies <= 2 * (clean.copies[destination] ?? 0),
          ),
        prepare: async () => {
          await freshAccount();
          receiver.posts.length = 0;
          const [ec2, dynamodb] = [getClient(EC2Client), getClient(DynamoDBClient)];
          await chat.createActionsTable(dynamodb, 'actions');
          const { arn } = await chat.createLinkKey(getClient(SecretsManagerClient), 'link-key');
          await reconcile.seedInstance(ec2, { [reconcile.TAG.schedule]: 'evening' });
          const topic = await reportsTopic();
          const reader = await subscribeQueue({
            sns: getClient(SNSClient),
            sqs: getClient(SQSClient),
            topicArn: topic,
          });
          let mails = 0;
          return {
            invocations: [
              {
                label: 'reconcile',
                bundle: dist('infra-scaler'),
                event: { action: 'reconcile' },
                functionName: 'infra-scaler',
                env: ({ webhooks }) => ({
                  SCHEDULES: schedules,
                  ACTIONS_TABLE: 'actions',
                  LINK_KEY_SECRET: arn,
                  CHAT_ACTIONS_URL: 'https://abc123.lambda-url.us-east-1.on.aws/',
                  SLACK_WEBHOOK_URL: `${webhooks}/slack/services/T000/B000/evening`,
                  SNS_TOPIC_ARN: topic,
                }),
                afterKill: () => chat.expireLeases(dynamodb, 'actions'),
              },
            ],
            observe: async () => {
              const received = await reader.receive({ count: 10, timeoutMs: 300 });
              mails += received.filter(({ Subject }) =>
                Subject?.startsWith('Nightshift heads-up:'),
              ).length;
              const copies: Record<string, number> = {
                ...(receiver.posts.length > 0 ? { slack: receiver.posts.length } : {}),
                ...(mails > 0 ? { email: mails } : {}),
              };
              return {
                records: Object.entries(await chat.recordStates(dynamodb, 'actions')).map(
                  ([pk, state]) => `${pk.split('#').slice(0, 2).join('#')} ${state}`,
                ),
                delivered: Object.keys(copies).sort(),
                copies,
              };
            },
          };
        },
      };

      // Act
      try {
        const { report, failures } = await crashFailures(
          'infra-scaler heads-up',
          scenario,
          ({ copies, records }) =>
            `${Object.entries(copies)
              .map(([destination, count]) => `${destination} ${count}`)
              .join(', ')}; record ${records.join()}`,
        );

        // Assess
        expect(report.clean).toEqual([
          {
            records: ['heads-up#evening done'],
            delivered: ['email', 'slack'],
            copies: { slack: 1, email: 1 },
          },
        ]);
        expect(report.outcomes.map(({ point }) => point.action)).toEqual(
          expect.arrayContaining(['UpdateItem', 'Publish']),
        );
        expect(failures).toEqual([]);
      } finally {
        await receiver.close();
      }
    },
    SCENARIO_TIMEOUT,
  );

  it(
    'a fanned-out snapshot-cleanup target is cleaned once and counted once, and the run summarised at most twice, whatever call it is killed after',
    async () => {
      // Prepare: a run of one target (the own account) dispatched, and its message as the
      // queue delivers it. A worker killed half-way gets the message again (SQS's visibility
      // timeout, longer than any lease the worker held, which the scenario moves into the
      // past): it does not clean again what it recorded, counts the target once, and
      // publishes the summary unless a summary went out already.
      type Seen = {
        account: Awaited<ReturnType<typeof cleanup.snapshotState>>;
        target: string | undefined;
        completed: string | undefined;
        summaries: number;
      };
      const scenario: CrashScenario<Seen> = {
        upstreams: { aws: moto.endpoint },
        changes,
        equivalent: (clean, crashed) =>
          JSON.stringify(crashed.account) === JSON.stringify(clean.account) &&
          crashed.target === clean.target &&
          crashed.completed === clean.completed &&
          crashed.summaries >= 1 &&
          crashed.summaries <= 2,
        prepare: async () => {
          await freshAccount();
          const account = await cleanup.seedAccount(moto);
          const topic = await reportsTopic();
          const [sqs, dynamodb] = [getClient(SQSClient), getClient(DynamoDBClient)];
          const reader = await subscribeQueue({ sns: getClient(SNSClient), sqs, topicArn: topic });
          await chat.createRunsTable(dynamodb, 'runs');
          const { QueueUrl = '' } = await sqs.send(
            new CreateQueueCommand({ QueueName: 'targets' }),
          );
          const target = { accountId: '123456789012', region: 'us-east-1' };
          const runId = 'snapshot-cleanup/2026-11-30T02:00:00.000Z';
          const now = new Date();
          await dispatch(
            { sqs, dynamodb },
            {
              queueUrl: QueueUrl,
              table: 'runs',
              runId,
              functionName: 'snapshot-cleanup',
              event: {},
              targets: [target],
              deadline: new Date(now.getTime() + 3_600_000),
              now,
            },
          );
          const message = {
            v: 1,
            kind: 'target',
            runId,
            function: 'snapshot-cleanup',
            target,
            event: {},
            deadline: new Date(now.getTime() + 3_600_000).toISOString(),
          };
          const received: string[] = [];
          const items = async () =>
            (await dynamodb.send(new ScanCommand({ TableName: 'runs' }))).Items ?? [];
          return {
            invocations: [
              {
                label: 'work the target',
                bundle: dist('snapshot-cleanup'),
                event: {
                  Records: [
                    {
                      messageId: 'c0ffee00-0000-4000-8000-000000000001',
                      receiptHandle: 'handle',
                      body: JSON.stringify(message),
                      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0' },
                      messageAttributes: {},
                      md5OfBody: '',
                      eventSource: 'aws:sqs',
                      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:targets',
                      awsRegion: 'us-east-1',
                    },
                  ],
                },
                functionName: 'snapshot-cleanup',
                env: () => ({
                  TARGET_ACCOUNTS: 'self',
                  TARGET_REGIONS: 'us-east-1,eu-west-1',
                  FANOUT_QUEUE_URL: QueueUrl,
                  RUNS_TABLE: 'runs',
                  SNS_TOPIC_ARN: topic,
                }),
                afterKill: async () => {
                  for (const item of await items()) {
                    if (!item.summaryLeaseUntil) continue;
                    await dynamodb.send(
                      new UpdateItemCommand({
                        TableName: 'runs',
                        Key: { pk: item.pk ?? { S: '' }, sk: item.sk ?? { S: '' } },
                        UpdateExpression: 'SET summaryLeaseUntil = :past',
                        ExpressionAttributeValues: { ':past': { N: '0' } },
                      }),
                    );
                  }
                },
              },
            ],
            observe: async () => {
              const summaries = await reader.receive({ count: 3, timeoutMs: 500 });
              received.push(...summaries.map((summary) => summary.Subject ?? ''));
              const all = await items();
              return {
                account: await cleanup.snapshotState(account),
                target: all.find((item) => item.sk?.S?.startsWith('target#'))?.status?.S,
                completed: all.find((item) => item.sk?.S === 'run')?.completed?.N,
                summaries: received.length,
              };
            },
          };
        },
      };

      // Act
      const { report, failures } = await crashFailures(
        'fanned-out target',
        scenario,
        ({ target, completed, summaries }) =>
          `target ${target}, counted ${completed}, ${summaries} summary(ies)`,
      );

      // Assess
      expect(report.clean[0]).toMatchObject({ target: 'done', completed: '1', summaries: 1 });
      expect(report.clean[0]?.account.oldPlain).toEqual([false, false]);
      expect(report.outcomes.map(({ point }) => point.action)).toEqual(
        expect.arrayContaining(['DeleteSnapshot', 'TransactWriteItems', 'Publish']),
      );
      expect(failures).toEqual([]);
    },
    SCENARIO_TIMEOUT,
  );
});
