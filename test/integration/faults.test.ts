import { resolve } from 'node:path';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GONE_AFTER_RETRY, getClient, type Report, resetClients } from '@nightshift/runtime';
import {
  type BundleInvocation,
  connectMoto,
  type FaultSettings,
  type FaultStats,
  invokeBundle,
  startFaultProxy,
  subscribeQueue,
} from '@nightshift/testing';
import { describe, expect, inject, it } from 'vitest';
import * as backups from './scenarios/backupManager.ts';
import * as infra from './scenarios/infraScaler.ts';
import { eventOf } from './scenarios/logProcessor.ts';
import * as cleanup from './scenarios/snapshotCleanup.ts';

// Each function's integration scenario runs twice on a fresh emulated account: once as is,
// once with about one AWS request in five throttled, refused as unavailable, or cut off.
// The account must end the same; a run that cannot finish must fail and a re-run finish it.
const FAULT_RATE = 0.2;
const moto = connectMoto(inject('moto'));
const dist = (name: string) => resolve(import.meta.dirname, `../../dist/${name}/index.mjs`);

const freshAccount = async () => {
  await moto.reset();
  resetClients();
};

/** Invokes a bundle with its AWS calls going through a fault proxy with these settings. */
const invokeThrough = async <R>(
  settings: FaultSettings,
  name: string,
  event: unknown,
  env: Record<string, string> = {},
): Promise<BundleInvocation<R> & { stats: FaultStats }> => {
  const proxy = await startFaultProxy({ target: moto.endpoint, seed: 42, ...settings });
  try {
    const outcome = await invokeBundle<R>(dist(name), event, {
      env: { ...env, AWS_ENDPOINT_URL: proxy.endpoint },
      functionName: name,
    });
    return { ...outcome, stats: proxy.stats() };
  } finally {
    await proxy.stop();
  }
};

const faultCount = (stats: FaultStats) =>
  Object.values(stats.faults).reduce((sum, count) => sum + count, 0);

const reportsTopic = async () =>
  (await getClient(SNSClient).send(new CreateTopicCommand({ Name: 'reports' }))).TopicArn ?? '';

describe('snapshot-cleanup under faults', () => {
  const run = async (settings: FaultSettings, env: Record<string, string> = {}) => {
    const account = await cleanup.seedAccount(moto);
    const outcome = await invokeThrough<Report>(
      settings,
      'snapshot-cleanup',
      {},
      {
        SNS_TOPIC_ARN: await reportsTopic(),
        ...env,
      },
    );
    return { account, outcome, state: await cleanup.snapshotState(account) };
  };

  it('deletes exactly the same snapshots when a fifth of the calls fail', async () => {
    // Prepare
    const clean = await run({ rate: 0 });
    await freshAccount();

    // Act
    const faulty = await run({ rate: FAULT_RATE });

    // Assess
    expect(clean.outcome.error).toBeUndefined();
    expect(clean.state.oldPlain).toEqual([false, false]);
    expect(faulty.outcome.error).toBeUndefined();
    expect(faultCount(faulty.outcome.stats)).toBeGreaterThan(0);
    expect(faulty.state).toEqual(clean.state);
  });

  it('ends the same when the answers to deletes get lost, and counts them deleted', async () => {
    // Prepare
    const clean = await run({ rate: 0 });
    await freshAccount();

    // Act
    const lost = await run({ rate: 0, first: 2, kinds: ['lost'], actions: ['DeleteSnapshot'] });

    // Assess
    expect(lost.outcome.stats.faults.lost).toBe(2);
    expect(lost.outcome.error).toBeUndefined();
    expect(lost.state).toEqual(clean.state);
    expect(lost.outcome.result?.done).toEqual(
      expect.arrayContaining(
        lost.account.oldPlain.map((id) =>
          expect.objectContaining({ id, reason: `older than 30 days; ${GONE_AFTER_RETRY}` }),
        ),
      ),
    );
    expect(lost.outcome.result?.totals).toEqual(clean.outcome.result?.totals);
  });

  it('fails loudly when deletes keep failing, and a re-run finishes the work', async () => {
    // Prepare
    const clean = await run({ rate: 0 });
    await freshAccount();

    // Act
    const failed = await run({ rate: 1, actions: ['DeleteSnapshot'] }, { AWS_MAX_ATTEMPTS: '2' });
    const rerun = await invokeThrough<Report>({ rate: 0 }, 'snapshot-cleanup', {});

    // Assess
    expect(failed.outcome.error?.name).toBe('PartialFailureError');
    expect(failed.outcome.error?.message).toMatch(/^snapshot-cleanup: 2 item\(s\) failed/);
    expect(failed.outcome.stats.forwarded.DeleteSnapshot).toBeUndefined();
    expect(failed.state.oldPlain).toEqual([true, true]);
    expect(rerun.error).toBeUndefined();
    expect(await cleanup.snapshotState(failed.account)).toEqual(clean.state);
  });
});

describe('infra-scaler under faults', () => {
  const night = { action: 'scale_down', environment: 'staging' };
  const morning = { action: 'scale_up', environment: 'staging' };

  /** Scale-down then scale-up; the account as seen after each. */
  const run = async (settings: FaultSettings) => {
    const account = await infra.seedAccount();
    const down = await invokeThrough<Report>(settings, 'infra-scaler', night);
    const asleep = await infra.observe(account);
    const up = await invokeThrough<Report>(settings, 'infra-scaler', morning);
    const awake = await infra.observe(account);
    return {
      errors: [down.error, up.error],
      faults: faultCount(down.stats) + faultCount(up.stats),
      asleep,
      awake,
    };
  };

  it('ends each step in the same state when a fifth of the calls fail', async () => {
    // Prepare
    const clean = await run({ rate: 0 });
    await freshAccount();

    // Act
    const faulty = await run({ rate: FAULT_RATE });

    // Assess
    expect(clean.errors).toEqual([undefined, undefined]);
    expect(clean.asleep.staging).toEqual(['stopped', true]);
    expect(faulty.errors).toEqual([undefined, undefined]);
    expect(faulty.faults).toBeGreaterThan(0);
    expect(faulty.asleep).toEqual(clean.asleep);
    expect(faulty.awake).toEqual(clean.awake);
  });

  it('ends each step in the same state when the answers to its changes get lost', async () => {
    // Prepare
    const clean = await run({ rate: 0 });
    await freshAccount();

    // Act: the first answer to every kind of change is lost after the change took effect.
    const changes = [
      'StopInstances',
      'StartInstances',
      'CreateTags',
      'DeleteTags',
      'UpdateAutoScalingGroup',
      'CreateOrUpdateTags',
      'DeleteTags',
      'StopDBInstance',
      'StartDBInstance',
      'AddTagsToResource',
      'RemoveTagsFromResource',
    ];
    const lost = await run({ rate: 0.5, kinds: ['lost'], actions: changes });

    // Assess
    expect(lost.faults).toBeGreaterThan(0);
    expect(lost.errors).toEqual([undefined, undefined]);
    expect(lost.asleep).toEqual(clean.asleep);
    expect(lost.awake).toEqual(clean.awake);
  });

  it('fails loudly when stops keep failing, and a re-run puts staging to sleep', async () => {
    // Prepare
    const clean = await run({ rate: 0 });
    await freshAccount();
    const account = await infra.seedAccount();

    // Act
    const failed = await invokeThrough<Report>(
      { rate: 1, actions: ['StopInstances', 'StopDBInstance'] },
      'infra-scaler',
      night,
      { AWS_MAX_ATTEMPTS: '2' },
    );
    const halfway = await infra.observe(account);
    const rerun = await invokeThrough<Report>({ rate: 0 }, 'infra-scaler', night);
    const asleep = await infra.observe(account);
    const up = await invokeThrough<Report>({ rate: 0 }, 'infra-scaler', morning);

    // Assess
    expect(failed.error?.name).toBe('PartialFailureError');
    expect(halfway.staging[0]).toBe('running');
    expect(halfway.database).toBe('available');
    expect(rerun.error).toBeUndefined();
    expect(asleep).toEqual(clean.asleep);
    expect(up.error).toBeUndefined();
    expect(await infra.observe(account)).toEqual(clean.awake);
  });
});

describe('log-processor under faults', () => {
  const batch = eventOf('DATA_MESSAGE', [
    'INFO processed 503 records',
    'ERROR payment declined',
    'FATAL: database connection failed',
  ]);

  const alertsTopic = async () => {
    const sns = getClient(SNSClient);
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'alerts' }));
    const reader = await subscribeQueue({ sns, sqs: getClient(SQSClient), topicArn: TopicArn });
    return { env: { ALERT_TOPIC_ARN: TopicArn }, reader };
  };

  it('sends exactly one alert when publishing is throttled or cut off', async () => {
    // Prepare
    const { env, reader } = await alertsTopic();

    // Act: the alert is throttled, refused or cut off three times before it goes through.
    const outcome = await invokeThrough(
      { rate: 0, first: 3, actions: ['Publish'] },
      'log-processor',
      batch,
      env,
    );

    // Assess
    expect(outcome.error).toBeUndefined();
    expect(faultCount(outcome.stats)).toBe(3);
    expect(outcome.stats.forwarded.Publish).toBe(1);
    const alerts = await reader.receive({ count: 2, timeoutMs: 3_000 });
    expect(alerts.map((alert) => alert.Subject)).toEqual([
      'Nightshift: 1 critical in /aws/lambda/orders-api',
    ]);
  });

  it('fails the batch when the alert cannot be sent, so that Lambda retries it', async () => {
    // Prepare
    const { env, reader } = await alertsTopic();

    // Act
    const failed = await invokeThrough({ rate: 1, actions: ['Publish'] }, 'log-processor', batch, {
      ...env,
      AWS_MAX_ATTEMPTS: '2',
    });
    const retried = await invokeThrough({ rate: 0 }, 'log-processor', batch, env);

    // Assess
    expect(failed.error?.message).toMatch(/Rate exceeded|unavailable|socket hang up|ECONNRESET/i);
    expect(faultCount(failed.stats)).toBe(2);
    expect(retried.error).toBeUndefined();
    expect(await reader.receive({ count: 2, timeoutMs: 3_000 })).toHaveLength(1);
  });
});

describe('backup-manager under faults', () => {
  const event = { backup_type: 'all', environment: 'production' };

  /** Two runs of the same night, as EventBridge may deliver them; the backups after each. */
  const run = async (settings: FaultSettings, env: Record<string, string> = {}) => {
    const account = await backups.seedAccount(moto);
    const reports = { SNS_TOPIC_ARN: await reportsTopic(), ...env };
    const first = await invokeThrough<Report>(settings, 'backup-manager', event, reports);
    const afterFirst = await backups.backupState(account);
    const second = await invokeThrough<Report>(settings, 'backup-manager', event, reports);
    return {
      account,
      errors: [first.error, second.error],
      faults: faultCount(first.stats) + faultCount(second.stats),
      afterFirst,
      afterSecond: await backups.backupState(account),
    };
  };

  it('creates and expires exactly the same backups when a fifth of the calls fail', async () => {
    // Prepare
    const clean = await run({ rate: 0 });
    await freshAccount();

    // Act
    const faulty = await run({ rate: FAULT_RATE });

    // Assess
    expect(clean.errors).toEqual([undefined, undefined]);
    expect(clean.afterFirst.ebs.filter((role) => role.startsWith('backup of web'))).toHaveLength(2);
    expect(faulty.errors).toEqual([undefined, undefined]);
    expect(faulty.faults).toBeGreaterThan(0);
    expect(faulty.afterFirst).toEqual(clean.afterFirst);
    expect(faulty.afterSecond).toEqual(clean.afterSecond);
  });

  it('keeps one snapshot set per instance when the answers to its creates get lost', async () => {
    // Prepare
    const clean = await run({ rate: 0 });
    await freshAccount();

    // Act: the first two CreateSnapshots take effect, but their answers never arrive.
    const lost = await run({ rate: 0, first: 2, kinds: ['lost'], actions: ['CreateSnapshots'] });

    // Assess
    expect(lost.faults).toBe(2);
    expect(lost.errors).toEqual([undefined, undefined]);
    expect(lost.afterFirst).toEqual(clean.afterFirst);
    expect(lost.afterSecond).toEqual(clean.afterSecond);
  });

  it('fails loudly when snapshots cannot be created, and a re-run backs up what is missing', async () => {
    // Prepare
    const clean = await run({ rate: 0 });
    await freshAccount();
    const account = await backups.seedAccount(moto);
    const env = { SNS_TOPIC_ARN: await reportsTopic() };

    // Act
    const failed = await invokeThrough<Report>(
      { rate: 1, actions: ['CreateSnapshots', 'CreateDBSnapshot'] },
      'backup-manager',
      event,
      { ...env, AWS_MAX_ATTEMPTS: '2' },
    );
    const rerun = await invokeThrough<Report>({ rate: 0 }, 'backup-manager', event, env);

    // Assess
    expect(failed.error?.name).toBe('PartialFailureError');
    expect(rerun.error).toBeUndefined();
    expect(await backups.backupState(account)).toEqual(clean.afterFirst);
  });
});
