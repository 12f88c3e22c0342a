import { describe, expect, it } from 'vitest';
import { backupDay, backupTags, hasRetentionTag } from '../src/tags.ts';

describe('Backup tags', () => {
  it('are written at creation: name, environment, extras, Nightshift’s own marks, day and source', () => {
    expect(
      backupTags({
        name: 'web',
        environmentKey: 'Stage',
        environment: 'production',
        sourceId: 'i-1',
        day: '2026-11-28',
        extra: [{ Key: 'InstanceId', Value: 'i-1' }],
      }),
    ).toEqual([
      { Key: 'Name', Value: 'nightshift-web-2026-11-28' },
      { Key: 'Stage', Value: 'production' },
      { Key: 'InstanceId', Value: 'i-1' },
      { Key: 'AutomatedBackup', Value: 'true' },
      { Key: 'CreatedBy', Value: 'nightshift' },
      { Key: 'nightshift:backup-date', Value: '2026-11-28' },
      { Key: 'nightshift:source', Value: 'i-1' },
    ]);
  });

  it('keep a Name within the 256 characters a tag value may hold', () => {
    const [name] = backupTags({
      name: 'x'.repeat(300),
      environmentKey: 'Environment',
      environment: 'production',
      sourceId: 'i-1',
      day: '2026-11-28',
    });
    expect(name?.Value).toHaveLength(256);
  });

  it('take the day in UTC', () => {
    expect(backupDay(new Date('2026-11-28T23:30:00-05:00'))).toBe('2026-11-29');
  });

  it('see a Retention tag of any value, in any case', () => {
    expect(hasRetentionTag([{ Key: 'retention', Value: 'whatever' }])).toBe(true);
    expect(hasRetentionTag([{ Key: 'Team', Value: 'retention' }])).toBe(false);
    expect(hasRetentionTag(undefined)).toBe(false);
  });
});
