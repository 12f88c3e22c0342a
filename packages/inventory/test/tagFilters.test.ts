import { describe, expect, it } from 'vitest';
import { tagFilters } from '../src/tagFilters.ts';

describe('Tag filters', () => {
  it('matches a value with tag:<key> and any value of a key with tag-key', () => {
    // Act
    const filters = tagFilters({ Environment: 'staging', 'nightshift:schedule': null });

    // Assess
    expect(filters).toEqual([
      { Name: 'tag:Environment', Values: ['staging'] },
      { Name: 'tag-key', Values: ['nightshift:schedule'] },
    ]);
    expect(tagFilters({})).toEqual([]);
  });
});
