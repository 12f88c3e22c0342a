import { describe, expect, it } from 'vitest';
import { createLru } from '../src/lru.ts';

describe('createLru', () => {
  it('gives back what was set, and nothing for a key never set', () => {
    // Prepare
    const lru = createLru<string, number>(2);

    // Act
    lru.set('a', 1);

    // Assess
    expect(lru.get('a')).toBe(1);
    expect(lru.get('b')).toBeUndefined();
  });

  it('drops the least recently used entry past its size, a read counting as a use', () => {
    // Prepare
    const lru = createLru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);

    // Act
    lru.get('a');
    lru.set('c', 3);

    // Assess
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([1, undefined, 3]);
  });

  it('counts writing an entry again as a use, keeping one entry per key', () => {
    // Prepare
    const lru = createLru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);

    // Act
    lru.set('a', 10);
    lru.set('c', 3);

    // Assess
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([10, undefined, 3]);
  });

  it('keeps exactly its size', () => {
    // Prepare
    const lru = createLru<number, number>(3);

    // Act
    for (let i = 0; i < 4; i += 1) lru.set(i, i);

    // Assess
    expect([0, 1, 2, 3].map((i) => lru.get(i))).toEqual([undefined, 1, 2, 3]);
  });

  it('takes no room for a key read but never set', () => {
    // Prepare
    const lru = createLru<string, number>(2);
    lru.set('a', 1);

    // Act
    lru.get('missing');
    lru.set('b', 2);

    // Assess
    expect([lru.get('a'), lru.get('b')]).toEqual([1, 2]);
  });

  it('forgets everything when cleared', () => {
    // Prepare
    const lru = createLru<string, number>(2);
    lru.set('a', 1);

    // Act
    lru.clear();

    // Assess
    expect(lru.get('a')).toBeUndefined();
  });
});
