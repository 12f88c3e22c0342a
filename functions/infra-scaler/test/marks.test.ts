import { describe, expect, it } from 'vitest';
import { decodeSize, encodeSize } from '../src/marks.ts';

describe('saved sizes of a group', () => {
  it('writes min, max and desired, and reads them back', () => {
    const size = { min: 2, max: 5, desired: 3 };
    expect(encodeSize(size)).toBe('min=2,max=5,desired=3');
    expect(decodeSize(encodeSize(size))).toEqual(size);
    expect(decodeSize(' min=0,max=0,desired=0 ')).toEqual({ min: 0, max: 0, desired: 0 });
    expect(decodeSize('min=1,max=1,desired=1')).toEqual({ min: 1, max: 1, desired: 1 });
    expect(decodeSize('min=10,max=120,desired=64')).toEqual({ min: 10, max: 120, desired: 64 });
  });

  it.each([
    [undefined],
    [''],
    ['two'],
    ['min=2,max=5'],
    ['xmin=2,max=5,desired=3'],
    ['max=5,min=2,desired=3'],
    ['min=-1,max=5,desired=3'],
    ['min=2,max=5,desired=3,extra=1'],
    ['min=1.5,max=5,desired=3'],
    ['min=3,max=5,desired=2'],
    ['min=1,max=2,desired=3'],
  ])('reads %j as no saved sizes (edited by hand, or not min <= desired <= max)', (value) => {
    expect(decodeSize(value)).toBeUndefined();
  });
});
