import { describe, expect, it } from 'vitest';
import { hasTag, isPermanent, tagValue } from '../src/tags.ts';

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
});
