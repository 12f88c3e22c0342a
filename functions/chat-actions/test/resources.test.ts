import { describe, expect, it } from 'vitest';
import { parseResource, resourceName } from '../src/resources.ts';

describe('parseResource', () => {
  it('reads each kind a schedule names, the id after the first colon', () => {
    // Act & Assess
    expect(parseResource('instance:i-0abc')).toEqual({ kind: 'instance', id: 'i-0abc' });
    expect(parseResource('group:web:blue')).toEqual({ kind: 'group', id: 'web:blue' });
    expect(parseResource('db-instance:reporting')).toEqual({
      kind: 'db-instance',
      id: 'reporting',
    });
    expect(parseResource('db-cluster:orders')).toEqual({ kind: 'db-cluster', id: 'orders' });
  });

  it('refuses an unknown kind, no kind and no id', () => {
    // Act & Assess
    for (const text of ['bucket:logs', 'i-0abc', 'instance:', ':i-0abc', 'Instance:i-0abc']) {
      expect(parseResource(text), text).toBeUndefined();
    }
  });

  it('writes a resource back as it was read', () => {
    // Act & Assess
    expect(resourceName({ kind: 'db-cluster', id: 'orders' })).toBe('db-cluster:orders');
  });
});
