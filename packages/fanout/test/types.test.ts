import { describe, expect, it } from 'vitest';
import { compareTargets, type Target, targetKey, targetOfKey } from '../src/types.ts';

describe('targetKey', () => {
  it('writes a target as <accountId>#<region>', () => {
    // Act & Assess
    expect(targetKey({ accountId: '123456789012', region: 'eu-west-1' })).toBe(
      '123456789012#eu-west-1',
    );
  });

  it('reads back the target it wrote', () => {
    // Prepare
    const targets: Target[] = [
      { accountId: '123456789012', region: 'eu-west-1' },
      { accountId: '000000000001', region: 'us-gov-west-1' },
    ];

    // Act & Assess
    for (const target of targets) expect(targetOfKey(targetKey(target))).toEqual(target);
  });
});

describe('targetOfKey', () => {
  it('reads the account before the #, the region after it', () => {
    // Act & Assess
    expect(targetOfKey('111122223333#ap-southeast-2')).toEqual({
      accountId: '111122223333',
      region: 'ap-southeast-2',
    });
  });

  it('gives empty parts for a key that lacks them, never undefined', () => {
    // Act & Assess
    expect(targetOfKey('111122223333')).toEqual({ accountId: '111122223333', region: '' });
    expect(targetOfKey('')).toEqual({ accountId: '', region: '' });
    expect(targetOfKey('#eu-west-1')).toEqual({ accountId: '', region: 'eu-west-1' });
  });
});

describe('compareTargets', () => {
  it('orders by account, then by region', () => {
    // Prepare
    const targets: Target[] = [
      { accountId: '222222222222', region: 'eu-west-1' },
      { accountId: '111111111111', region: 'us-east-1' },
      { accountId: '222222222222', region: 'ap-south-1' },
      { accountId: '111111111111', region: 'eu-west-1' },
    ];

    // Act
    const sorted = [...targets].sort(compareTargets).map(targetKey);

    // Assess
    expect(sorted).toEqual([
      '111111111111#eu-west-1',
      '111111111111#us-east-1',
      '222222222222#ap-south-1',
      '222222222222#eu-west-1',
    ]);
  });

  it('puts the account first even when the regions say otherwise', () => {
    // Prepare
    const a = { accountId: '111111111111', region: 'us-west-2' };
    const b = { accountId: '222222222222', region: 'af-south-1' };

    // Act & Assess
    expect(compareTargets(a, b)).toBeLessThan(0);
    expect(compareTargets(b, a)).toBeGreaterThan(0);
  });

  it('says 0 of the same target only', () => {
    // Prepare
    const target = { accountId: '111111111111', region: 'eu-west-1' };

    // Act & Assess
    expect(compareTargets(target, { ...target })).toBe(0);
    expect(compareTargets(target, { ...target, region: 'eu-west-2' })).toBeLessThan(0);
    expect(compareTargets({ ...target, region: 'eu-west-2' }, target)).toBeGreaterThan(0);
  });
});
