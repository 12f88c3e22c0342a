import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('backup-manager configuration', () => {
  it('runs with nothing set', () => {
    expect(loadConfig({})).toEqual({
      retentionDays: 7,
      keepLast: 1,
      adoptLegacy: true,
      dryRun: false,
      snsTopicArn: undefined,
      backupTagKey: 'Backup',
      backupTagValue: 'true',
      environmentTagKey: 'Environment',
      concurrency: 5,
      manualSnapshotQuota: 100,
    });
  });

  it('reads every variable under its name into its setting', () => {
    expect(
      loadConfig({
        BACKUP_RETENTION_DAYS: '30',
        BACKUP_KEEP_LAST: '3',
        BACKUP_ADOPT_LEGACY: 'false',
        DRY_RUN: 'true',
        SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:reports',
        BACKUP_TAG_KEY: 'Snapshot',
        BACKUP_TAG_VALUE: 'daily',
        ENVIRONMENT_TAG_KEY: 'Stage',
        BACKUP_CONCURRENCY: '2',
        RDS_MANUAL_SNAPSHOT_QUOTA: '500',
      }),
    ).toEqual({
      retentionDays: 30,
      keepLast: 3,
      adoptLegacy: false,
      dryRun: true,
      snsTopicArn: 'arn:aws:sns:us-east-1:1:reports',
      backupTagKey: 'Snapshot',
      backupTagValue: 'daily',
      environmentTagKey: 'Stage',
      concurrency: 2,
      manualSnapshotQuota: 500,
    });
  });

  it('turns adopting the original backup script’s backups off with BACKUP_ADOPT_LEGACY=false', () => {
    expect(loadConfig({ BACKUP_ADOPT_LEGACY: 'false' }).adoptLegacy).toBe(false);
    expect(() => loadConfig({ BACKUP_ADOPT_LEGACY: 'maybe' })).toThrow(
      /BACKUP_ADOPT_LEGACY: must be true or false/,
    );
  });

  it('names every invalid variable', () => {
    expect(() => loadConfig({ BACKUP_RETENTION_DAYS: '0', BACKUP_KEEP_LAST: 'all' })).toThrow(
      /BACKUP_RETENTION_DAYS: must be at least 1; BACKUP_KEEP_LAST: must be a whole number/,
    );
  });
});
