import { describe, expect, it } from 'vitest';
import {
  hasTag,
  isLegacyBackup,
  isNightshiftBackup,
  isPermanent,
  managedBy,
  tagValue,
} from '../src/tags.ts';

describe('Tags', () => {
  it('reads the value of a tag by its exact key', () => {
    // Prepare
    const tags = [
      { Key: 'Name', Value: 'web-1' },
      { Key: 'name', Value: 'other' },
      { Key: 'Empty' },
    ];

    // Act & Assess
    expect(tagValue(tags, 'Name')).toBe('web-1');
    expect(tagValue(tags, 'Empty')).toBeUndefined();
    expect(tagValue(undefined, 'Name')).toBeUndefined();
  });

  it('finds a key, or a key with its value, whatever the case of either', () => {
    // Prepare
    const tags = [{ Key: 'KEEP', Value: 'Forever' }, { Key: 'Team' }];

    // Act & Assess
    expect(hasTag(tags, 'keep')).toBe(true);
    expect(hasTag(tags, 'Keep', 'forever')).toBe(true);
    expect(hasTag(tags, 'keep', 'for')).toBe(false);
    expect(hasTag(tags, 'team', '')).toBe(false);
    expect(hasTag(tags, 'Owner')).toBe(false);
    expect(hasTag(undefined, 'keep')).toBe(false);
  });

  it('keeps forever what is tagged Retention=permanent in any case, and nothing else', () => {
    // Act & Assess
    expect(isPermanent([{ Key: 'Retention', Value: 'permanent' }])).toBe(true);
    expect(isPermanent([{ Key: 'retention', Value: 'PERMANENT' }])).toBe(true);
    expect(isPermanent([{ Key: 'Retention', Value: '30 days' }])).toBe(false);
    expect(isPermanent([{ Key: 'Retention' }])).toBe(false);
    expect(isPermanent([{ Key: 'Keep', Value: 'permanent' }])).toBe(false);
    expect(isPermanent([])).toBe(false);
    expect(isPermanent(undefined)).toBe(false);
  });

  it('recognises the original backup script’s EBS snapshots by both of its tags, exactly', () => {
    // Prepare
    const legacy = [
      { Key: 'Name', Value: 'web-backup-20261101' },
      { Key: 'CreatedBy', Value: 'lambda-backup-automation' },
      { Key: 'AutomatedBackup', Value: 'true' },
    ];
    const without = (key: string) => legacy.filter((tag) => tag.Key !== key);

    // Act & Assess
    expect(isLegacyBackup(legacy)).toBe(true);
    expect(isNightshiftBackup(legacy)).toBe(false);
    expect(isLegacyBackup(without('CreatedBy'))).toBe(false);
    expect(isLegacyBackup(without('AutomatedBackup'))).toBe(false);
    expect(
      isLegacyBackup([
        { Key: 'CreatedBy', Value: 'nightshift' },
        { Key: 'AutomatedBackup', Value: 'true' },
      ]),
    ).toBe(false);
    expect(
      isLegacyBackup([
        { Key: 'CreatedBy', Value: 'lambda-backup-automation' },
        { Key: 'AutomatedBackup', Value: 'false' },
      ]),
    ).toBe(false);
    expect(isLegacyBackup(undefined)).toBe(false);
  });

  describe('Snapshots another service manages', () => {
    it.each([
      [[{ Key: 'aws:backup:source-resource', Value: 'vol-1' }], 'AWS Backup'],
      [[{ Key: 'aws:dlm:lifecycle-policy-id', Value: 'policy-1' }], 'Data Lifecycle Manager'],
      [
        [
          { Key: 'aws:dlm:lifecycle-policy-id', Value: 'policy-1' },
          { Key: 'aws:backup:source-resource', Value: 'vol-1' },
        ],
        'AWS Backup',
      ],
      [[{ Key: 'Name', Value: 'aws:backup:in-a-value' }], undefined],
      [[{ Value: 'no key' }], undefined],
      [
        [
          { Key: 'CreatedBy', Value: 'nightshift' },
          { Key: 'AutomatedBackup', Value: 'true' },
        ],
        undefined,
      ],
      [undefined, undefined],
    ])('%j are managed by %s', (snapshotTags, expected) => {
      expect(managedBy(snapshotTags)).toBe(expected);
    });
  });
});
