import { resolve } from 'node:path';
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { getClient, type Report } from '@nightshift/runtime';
import { connectMoto, invokeBundle, startFaultProxy } from '@nightshift/testing';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import {
  backupState,
  dayBefore,
  dbSnapshotIds,
  ebsSnapshots,
  seedAccount,
  seedOriginalScriptAccount,
  setsOfDay,
  tag,
  toTags,
} from './scenarios/backupManager.ts';

const bundle = resolve(import.meta.dirname, '../../dist/backup-manager/index.mjs');
const moto = connectMoto(inject('moto'));

/**
 * An answer hook that holds the answers of the first two calls of each of `actions` until
 * both have been answered upstream (or 20 seconds have passed): two runs that make these
 * calls first both read before either can act on what it read.
 */
const readsTogether = (actions: readonly string[]) => {
  const waiting = new Map<string, (() => void)[]>();
  return async ({ action, occurrence }: { action: string; occurrence: number }) => {
    if (actions.includes(action) && occurrence <= 2) {
      const parked = waiting.get(action) ?? [];
      waiting.set(action, parked);
      await new Promise<void>((release) => {
        parked.push(release);
        if (parked.length === 2) for (const each of parked) each();
        setTimeout(release, 20_000).unref();
      });
    }
    return 'deliver' as const;
  };
};
describe('backup-manager against the emulated account', () => {
  let env: Record<string, string>;
  beforeEach(async () => {
    const { TopicArn = '' } = await getClient(SNSClient).send(
      new CreateTopicCommand({ Name: 'reports' }),
    );
    env = { SNS_TOPIC_ARN: TopicArn };
  });

  it('backs up exactly the tagged production resources once a day and expires only its own old backups', async () => {
    // Prepare
    const account = await seedAccount(moto);
    const today = dayBefore(0);
    const event = { backup_type: 'all', environment: 'production' };

    // Act: EventBridge delivers the same day's event twice.
    const first = await invokeBundle<Report>(bundle, event, { env });
    const second = await invokeBundle<Report>(bundle, event, { env });

    // Assess: the EBS snapshots that exist afterwards, exactly.
    expect(first.error).toBeUndefined();
    expect(second.error).toBeUndefined();
    const snapshots = await ebsSnapshots(account.ec2);
    const ours = snapshots.filter(
      (snapshot) =>
        tag(snapshot.Tags, 'CreatedBy') === 'nightshift' &&
        tag(snapshot.Tags, 'Environment') === 'production',
    );
    const bySource = (id: string) =>
      ours.filter((snapshot) => tag(snapshot.Tags, 'InstanceId') === id);
    expect(snapshots.map((snapshot) => snapshot.SnapshotId).sort()).toEqual(
      [
        account.foreignEbs,
        ...account.stagingSet,
        ...ours.map((snapshot) => snapshot.SnapshotId ?? ''),
      ].sort(),
    );
    expect(bySource(account.web)).toHaveLength(2); // root and extra volume, one set
    expect(bySource(account.worker)).toHaveLength(1);
    expect(ours).toHaveLength(3);
    for (const snapshot of ours) {
      expect(tag(snapshot.Tags, 'AutomatedBackup')).toBe('true');
      expect(tag(snapshot.Tags, 'nightshift:backup-date')).toBe(today);
      expect(tag(snapshot.Tags, 'Retention')).toBeUndefined();
      expect(tag(snapshot.Tags, 'Name')).toMatch(
        /^nightshift-(web|i-[0-9a-f]+)-\d{4}-\d{2}-\d{2}$/,
      );
    }
    expect(ours.map((snapshot) => snapshot.SnapshotId)).not.toEqual(
      expect.arrayContaining([account.oldWebSet[0]]),
    );

    // ... and the RDS snapshots, exactly: staging's and the permanent one stay.
    expect(await dbSnapshotIds(account.rds)).toEqual(
      [
        'before-upgrade',
        `nightshift-orders-${account.twentyDaysAgo}`,
        `nightshift-orders-${today}`,
        `nightshift-orders-staging-${account.tenDaysAgo}`,
      ].sort(),
    );
    const { DBSnapshots = [] } = await account.rds.send(
      new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: `nightshift-orders-${today}` }),
    );
    expect(tag(DBSnapshots[0]?.TagList, 'CreatedBy')).toBe('nightshift');
    expect(tag(DBSnapshots[0]?.TagList, 'Retention')).toBeUndefined();

    // The first run created and kept the last finished backups, the new ones not being
    // finished when it read; the second found everything done and expired the old ones.
    expect(
      first.result?.done
        .filter((entry) => entry.action === 'back up')
        .map((entry) => entry.id)
        .sort(),
    ).toEqual([account.web, account.worker, 'orders'].sort());
    expect(first.result?.done.find((entry) => entry.id === account.web)?.reason).toMatch(
      /; volume tags not copied: a volume is tagged Retention$/,
    );
    expect(first.result?.done.filter((entry) => entry.action === 'delete')).toEqual([]);
    expect(first.result?.skipped).toEqual(
      expect.arrayContaining([
        ...account.oldWebSet.map((id) => ({
          id,
          action: 'keep',
          reason: `newest finished backup of ${account.web}`,
        })),
        {
          id: `nightshift-orders-${account.tenDaysAgo}`,
          action: 'keep',
          reason: 'newest finished backup of orders',
        },
        {
          id: `nightshift-orders-${account.twentyDaysAgo}`,
          action: 'keep',
          reason: 'tagged Retention=permanent',
        },
      ]),
    );
    expect(
      second.result?.done
        .filter((entry) => entry.action === 'delete')
        .map((entry) => entry.id)
        .sort(),
    ).toEqual([...account.oldWebSet, `nightshift-orders-${account.tenDaysAgo}`].sort());
    expect(
      second.result?.skipped
        .filter((entry) => entry.action === 'back up')
        .map((entry) => entry.id)
        .sort(),
    ).toEqual([account.web, account.worker, 'orders'].sort());
    expect(
      second.result?.skipped
        .filter((entry) => entry.action === 'back up')
        .every((entry) => entry.reason.startsWith(`already backed up on ${today}`)),
    ).toBe(true);
    const mentioned = [first.result, second.result].flatMap((report) =>
      [...(report?.done ?? []), ...(report?.skipped ?? []), ...(report?.planned ?? [])].map(
        (entry) => entry.id,
      ),
    );
    const staging = [account.staging, 'orders-staging', ...account.stagingSet];
    expect(mentioned.filter((id) => staging.includes(id))).toEqual([]);
    const emf = second.logs.find((line) => 'BackupsCreated' in line);
    expect(emf).toMatchObject({
      BackupsCreated: 0,
      BackupsSkipped: 3,
      BackupsDeleted: 3,
      BackupFailures: 0,
    });
  });

  it('leaves one backup per resource when the same event is delivered twice at the same moment', async () => {
    // Prepare
    const account = await seedAccount(moto);
    const today = dayBefore(0);
    const event = { backup_type: 'all', environment: 'production' };

    // Act: two deliveries, run at once. A proxy holds the answer of each run's first read
    // of the backups until both runs have read, so each reads before the other has made
    // anything, whatever the timing of the two processes.
    const proxy = await startFaultProxy({
      target: moto.endpoint,
      rate: 0,
      onAnswer: readsTogether(['DescribeSnapshots', 'DescribeDBSnapshots']),
    });
    const runEnv = { ...env, AWS_ENDPOINT_URL: proxy.endpoint };
    const runs = await Promise.all([
      invokeBundle<Report>(bundle, event, { env: runEnv }),
      invokeBundle<Report>(bundle, event, { env: runEnv }),
    ]).finally(() => proxy.stop());

    // Assess: both succeed, and exactly one set of each instance is left, whole.
    for (const run of runs) {
      expect(run.error).toBeUndefined();
      expect(run.result?.failed).toEqual([]);
    }
    const web = await setsOfDay(account.ec2, account.web, today);
    const worker = await setsOfDay(account.ec2, account.worker, today);
    expect([...web.values()].map((ids) => ids.length)).toEqual([2]);
    expect([...worker.values()].map((ids) => ids.length)).toEqual([1]);
    expect(await dbSnapshotIds(account.rds)).toContain(`nightshift-orders-${today}`);

    // Every set a run made and that is gone was reported deleted by a run; the set left
    // is the one some run reports as made or as the one that stays.
    const reasons = (id: string) =>
      runs.flatMap((run) =>
        [...(run.result?.done ?? []), ...(run.result?.skipped ?? [])]
          .filter((entry) => entry.id === id && entry.action === 'back up')
          .map((entry) => entry.reason),
      );
    for (const [instance, sets] of [
      [account.web, web],
      [account.worker, worker],
    ] as const) {
      const text = reasons(instance).join('\n');
      const [left = []] = [...sets.values()];
      for (const id of left) expect(text).toContain(id);
      const made = [...text.matchAll(/created ([^;\n]+)/g)].flatMap((match) =>
        (match[1] ?? '').split(', ').map((id) => id.trim()),
      );
      for (const id of made.filter((id) => !left.includes(id))) {
        expect(text).toMatch(new RegExp(`deleted [^;]*${id}`));
      }
    }
    expect(reasons('orders').filter((reason) => reason.startsWith('created'))).toHaveLength(1);
  });

  it('takes the backup day from the schedule, so a late retry after midnight backs up nothing twice', async () => {
    // Prepare: the schedule fired just before midnight; the run starts after it.
    const account = await seedAccount(moto);
    const yesterday = dayBefore(1);
    const event = {
      backup_type: 'all',
      environment: 'production',
      scheduledTime: `${yesterday}T23:59:00Z`,
    };

    // Act: the run and its retry, both late.
    const first = await invokeBundle<Report>(bundle, event, { env });
    const retry = await invokeBundle<Report>(bundle, event, { env });

    // Assess
    expect(first.error).toBeUndefined();
    expect(retry.error).toBeUndefined();
    const ours = (await ebsSnapshots(account.ec2)).filter(
      (snapshot) =>
        tag(snapshot.Tags, 'CreatedBy') === 'nightshift' &&
        tag(snapshot.Tags, 'Environment') === 'production' &&
        tag(snapshot.Tags, 'nightshift:backup-date') === yesterday,
    );
    expect(ours).toHaveLength(3);
    expect(await dbSnapshotIds(account.rds)).toContain(`nightshift-orders-${yesterday}`);
    expect(retry.result?.done.filter((entry) => entry.action === 'back up')).toEqual([]);
    expect(
      retry.result?.skipped
        .filter((entry) => entry.action === 'back up')
        .map((entry) => entry.reason),
    ).toEqual([
      expect.stringMatching(`^already backed up on ${yesterday}`),
      expect.stringMatching(`^already backed up on ${yesterday}`),
      expect.stringMatching(`^already backed up on ${yesterday}`),
    ]);
  });

  it('snapshots a tagged Aurora cluster under a valid name, reports a member of an untagged one, and counts cluster snapshots for the quota', async () => {
    // Prepare
    const rds = getClient(RDSClient);
    const today = dayBefore(0);
    const longName = `billing-${'x'.repeat(55)}`;
    const cluster = (id: string, tags: Record<string, string>) =>
      rds.send(
        new CreateDBClusterCommand({
          DBClusterIdentifier: id,
          Engine: 'aurora-postgresql',
          MasterUsername: 'admin',
          MasterUserPassword: 'not-a-secret-1',
          Tags: toTags(tags),
        }),
      );
    await cluster(longName, { Environment: 'production', Backup: 'true' });
    await cluster('analytics', { Environment: 'production' });
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'analytics-1',
        DBClusterIdentifier: 'analytics',
        Engine: 'aurora-postgresql',
        DBInstanceClass: 'db.r6g.large',
        Tags: toTags({ Environment: 'production', Backup: 'true' }),
      }),
    );
    await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: 'analytics',
        DBClusterSnapshotIdentifier: 'analytics-by-hand',
      }),
    );

    // Act
    const { result, error } = await invokeBundle<Report>(
      bundle,
      { backup_type: 'rds', environment: 'production' },
      { env: { ...env, RDS_MANUAL_SNAPSHOT_QUOTA: '2' } },
    );

    // Assess
    expect(error).toBeUndefined();
    const { DBClusterSnapshots = [] } = await rds.send(
      new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }),
    );
    const ids = DBClusterSnapshots.map((snapshot) => snapshot.DBClusterSnapshotIdentifier ?? '');
    const backup = ids.find((id) => id !== 'analytics-by-hand') ?? '';
    expect(ids).toHaveLength(2);
    expect(backup.length).toBeLessThanOrEqual(63);
    expect(backup).toMatch(new RegExp(`^nightshift-billing-x+-[0-9a-f]{8}-${today}$`));
    expect(result?.skipped).toContainEqual({
      id: 'analytics-1',
      action: 'back up',
      reason:
        'member of cluster analytics, which is not tagged Environment=production and Backup=true: not backed up',
    });
    expect(result?.notes).toContainEqual(
      expect.stringMatching(/holds 2 manual DB cluster snapshots, of a quota of 2/),
    );
  });

  it('changes nothing in a dry run, and plans what a real run would do', async () => {
    // Prepare: today's backups exist and are finished, so the old ones are due.
    const account = await seedAccount(moto);
    const event = { backup_type: 'all', environment: 'production' };
    await invokeBundle<Report>(bundle, event, { env });
    const before = {
      ebs: (await ebsSnapshots(account.ec2)).length,
      rds: await dbSnapshotIds(account.rds),
    };

    // Act
    const { result, error } = await invokeBundle<Report>(
      bundle,
      { ...event, dryRun: true },
      { env },
    );

    // Assess
    expect(error).toBeUndefined();
    expect((await ebsSnapshots(account.ec2)).length).toBe(before.ebs);
    expect(await dbSnapshotIds(account.rds)).toEqual(before.rds);
    expect(result?.done).toEqual([]);
    expect(result?.planned.filter((entry) => entry.action === 'back up')).toEqual([]);
    expect(
      result?.planned
        .filter((entry) => entry.action === 'delete')
        .map((entry) => entry.id)
        .sort(),
    ).toEqual([...account.oldWebSet, `nightshift-orders-${account.tenDaysAgo}`].sort());
  });

  it('stays a dry run under DRY_RUN=true when the event says dryRun false', async () => {
    // Prepare
    const account = await seedAccount(moto);
    const before = await backupState(account);

    // Act
    const { result, error } = await invokeBundle<Report>(
      bundle,
      { backup_type: 'all', environment: 'production', dryRun: false },
      { env: { ...env, DRY_RUN: 'true' } },
    );

    // Assess
    expect(error).toBeUndefined();
    expect(result?.dryRun).toBe(true);
    expect(result?.done).toEqual([]);
    expect(await backupState(account)).toEqual(before);
  });

  it('refuses a scheduled time past the 24-hour retry window and creates nothing', async () => {
    // Prepare
    const account = await seedAccount(moto);
    const before = await backupState(account);
    const stale = new Date(Date.now() - 25 * 3_600_000).toISOString();

    // Act
    const { error } = await invokeBundle(
      bundle,
      { backup_type: 'all', environment: 'production', scheduledTime: stale },
      { env },
    );

    // Assess
    expect(error?.name).toBe('ValidationError');
    expect(error?.message).toContain(
      `scheduledTime: is ${stale}, earlier than the function's clock`,
    );
    expect(await backupState(account)).toEqual(before);
  });

  it('rejects an invalid event and creates nothing', async () => {
    // Prepare
    const account = await seedAccount(moto);
    const before = (await ebsSnapshots(account.ec2)).length;

    // Act
    const { error } = await invokeBundle(
      bundle,
      { backup_type: 'tapes', environment: '' },
      { env },
    );

    // Assess
    expect(error?.name).toBe('ValidationError');
    expect(error?.message).toMatch(
      /backup_type: must be one of all, ec2, rds; environment: must not be empty/,
    );
    expect((await ebsSnapshots(account.ec2)).length).toBe(before);
  });
});

describe('backup-manager after the original backup script', () => {
  let env: Record<string, string>;
  beforeEach(async () => {
    const { TopicArn = '' } = await getClient(SNSClient).send(
      new CreateTopicCommand({ Name: 'reports' }),
    );
    env = { SNS_TOPIC_ARN: TopicArn };
  });
  const event = { backup_type: 'all', environment: 'production' };
  const originalEbs = async (account: Awaited<ReturnType<typeof seedOriginalScriptAccount>>) =>
    (await ebsSnapshots(account.ec2))
      .filter((snapshot) => tag(snapshot.Tags, 'CreatedBy') === 'lambda-backup-automation')
      .map((snapshot) => snapshot.SnapshotId ?? '')
      .sort();
  const originalRds = async (account: Awaited<ReturnType<typeof seedOriginalScriptAccount>>) =>
    (await dbSnapshotIds(account.rds)).filter((id) => !id?.startsWith('nightshift-'));

  it('adopts the old EBS and RDS backups it made for the environment and expires them, the newest of each resource once its own backup has finished', async () => {
    // Prepare
    const account = await seedOriginalScriptAccount(moto);
    const name = account.dbBackup;
    const old = account.of('production', 20);
    const last = account.of('production', 10);
    expect(old.ebs).toHaveLength(1);
    expect(old.rds.sort()).toEqual(
      [name('billing', 20), name('orders', 20), name('reports', 20)].sort(),
    );

    // Act: two nights of Nightshift.
    const first = await invokeBundle<Report>(bundle, event, { env });
    const afterFirst = { ebs: await originalEbs(account), rds: await originalRds(account) };
    const second = await invokeBundle<Report>(bundle, event, { env });

    // Assess: the first night expires the older backups of app and billing and keeps the
    // last ones, its own not being finished yet; the second expires those too.
    expect(first.error).toBeUndefined();
    expect(second.error).toBeUndefined();
    const staging = [...account.of('staging', 20).ebs, ...account.of('staging', 10).ebs];
    expect(afterFirst.ebs).toEqual([...last.ebs, ...staging].sort());
    expect(afterFirst.rds).not.toContain(name('billing', 20));
    expect(afterFirst.rds).toContain(name('billing', 10));
    expect(first.result?.skipped).toContainEqual({
      id: name('billing', 10),
      action: 'keep',
      reason: 'newest finished backup of billing',
    });
    expect(await originalEbs(account)).toEqual([...staging].sort());
    expect(await originalRds(account)).toEqual(
      [
        // orders copies its tags, Retention=permanent among them, to its snapshots.
        name('orders', 20),
        name('orders', 10),
        // reports no longer exists, and its snapshots say nothing of its environment.
        name('reports', 20),
        name('reports', 10),
        name('billing-staging', 20),
        name('billing-staging', 10),
        'billing-backup-before-migration',
      ].sort(),
    );
    const deletes = [first, second].flatMap((run) =>
      (run.result?.done ?? []).filter((entry) => entry.action === 'delete'),
    );
    expect(deletes.map((entry) => entry.id).sort()).toEqual(
      [...old.ebs, ...last.ebs, name('billing', 20), name('billing', 10)].sort(),
    );
    expect(
      deletes.every(
        (entry) => entry.reason === 'made by the original backup script, older than 7 days',
      ),
    ).toBe(true);
    expect(second.result?.skipped).toEqual(
      expect.arrayContaining([
        {
          id: name('orders', 20),
          action: 'keep',
          reason: 'tagged Retention=permanent',
        },
        {
          id: name('reports', 20),
          action: 'keep',
          reason:
            "named like the original backup script's backups of reports, which no longer exists, and not tagged Environment=production and Backup=true: its environment is unknown",
        },
      ]),
    );
  });

  it('keeps every backup the original script made with BACKUP_ADOPT_LEGACY=false', async () => {
    // Prepare
    const account = await seedOriginalScriptAccount(moto);
    const before = { ebs: await originalEbs(account), rds: await originalRds(account) };
    const adoptNothing = { ...env, BACKUP_ADOPT_LEGACY: 'false' };

    // Act
    const first = await invokeBundle<Report>(bundle, event, { env: adoptNothing });
    const second = await invokeBundle<Report>(bundle, event, { env: adoptNothing });

    // Assess: Nightshift made its own backups, and deleted nothing.
    expect(first.error).toBeUndefined();
    expect(second.error).toBeUndefined();
    expect(before.ebs).toHaveLength(4);
    expect(before.rds).toHaveLength(9);
    expect({ ebs: await originalEbs(account), rds: await originalRds(account) }).toEqual(before);
    expect(
      [first, second].flatMap((run) =>
        (run.result?.done ?? []).filter((entry) => entry.action === 'delete'),
      ),
    ).toEqual([]);
    expect(
      first.result?.done
        .filter((entry) => entry.action === 'back up')
        .map((entry) => entry.id)
        .sort(),
    ).toEqual([account.app, 'billing', 'orders'].sort());
  });
});
