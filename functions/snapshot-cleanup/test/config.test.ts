import { describe, expect, it } from 'vitest';
import { keepTags, loadConfig } from '../src/config.ts';

describe('snapshot-cleanup configuration', () => {
  it('runs with nothing set', () => {
    expect(loadConfig({})).toEqual({
      retentionDays: 30,
      dryRun: false,
      snsTopicArn: undefined,
      keepTagKey: 'Retention',
      keepTagValue: 'permanent',
      excludeTags: [],
      keepLatestPerVolume: true,
      keepLatestOfDeletedVolumes: false,
      deleteConcurrency: 5,
      maxDeletionsPerRun: 500,
    });
  });

  it('reads each variable into its setting', () => {
    expect(
      loadConfig({
        RETENTION_DAYS: '45',
        DRY_RUN: 'true',
        SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:reports',
        KEEP_TAG_KEY: 'Keep',
        KEEP_TAG_VALUE: 'forever',
        EXCLUDE_TAGS: 'Team=db',
        KEEP_LATEST_PER_VOLUME: 'false',
        KEEP_LATEST_OF_DELETED_VOLUMES: 'true',
        DELETE_CONCURRENCY: '7',
        MAX_DELETIONS_PER_RUN: '90',
      }),
    ).toEqual({
      retentionDays: 45,
      dryRun: true,
      snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:reports',
      keepTagKey: 'Keep',
      keepTagValue: 'forever',
      excludeTags: [{ key: 'Team', value: 'db' }],
      keepLatestPerVolume: false,
      keepLatestOfDeletedVolumes: true,
      deleteConcurrency: 7,
      maxDeletionsPerRun: 90,
    });
  });

  it('always keeps Retention=permanent, and adds a configured keep tag', () => {
    expect(keepTags(loadConfig({}))).toEqual([{ key: 'Retention', value: 'permanent' }]);
    expect(keepTags(loadConfig({ KEEP_TAG_KEY: 'Keep', KEEP_TAG_VALUE: 'forever' }))).toEqual([
      { key: 'Retention', value: 'permanent' },
      { key: 'Keep', value: 'forever' },
    ]);
  });

  it('keeps the newest snapshot of a deleted volume only when KEEP_LATEST_OF_DELETED_VOLUMES is true', () => {
    expect(loadConfig({ KEEP_LATEST_OF_DELETED_VOLUMES: 'true' })).toMatchObject({
      keepLatestOfDeletedVolumes: true,
    });
    expect(() => loadConfig({ KEEP_LATEST_OF_DELETED_VOLUMES: 'sometimes' })).toThrow(
      /KEEP_LATEST_OF_DELETED_VOLUMES: must be true or false/,
    );
  });

  it('parses exclusion tag filters', () => {
    expect(loadConfig({ EXCLUDE_TAGS: 'Team=db, LegalHold' }).excludeTags).toEqual([
      { key: 'Team', value: 'db' },
      { key: 'LegalHold' },
    ]);
  });

  it('names every invalid variable', () => {
    expect(() => loadConfig({ RETENTION_DAYS: 'month', DELETE_CONCURRENCY: '0' })).toThrow(
      /RETENTION_DAYS: must be a whole number; DELETE_CONCURRENCY: must be at least 1/,
    );
  });
});
