import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TTL_DAYS,
  expiresAtOf,
  HEADER_SK,
  headerKey,
  LIST_SK_PREFIX,
  runPk,
  TARGET_SK_PREFIX,
  targetItemKey,
  targetSk,
} from '../src/keys.ts';

const RUN = 'snapshot-cleanup/2026-11-30T08:00:00.000Z';
const target = { accountId: '123456789012', region: 'eu-west-1' };

describe('the keys of the runs table', () => {
  it('puts every item of a run under the partition key run#<runId>', () => {
    // Act & Assess
    expect(runPk(RUN)).toBe('run#snapshot-cleanup/2026-11-30T08:00:00.000Z');
    expect(headerKey(RUN).pk).toEqual({ S: runPk(RUN) });
    expect(targetItemKey(RUN, target).pk).toEqual({ S: runPk(RUN) });
  });

  it("keys a run's header by the sort key run, and nothing else", () => {
    // Act & Assess
    expect(HEADER_SK).toBe('run');
    expect(headerKey(RUN)).toEqual({ pk: { S: `run#${RUN}` }, sk: { S: 'run' } });
  });

  it("keys a target's item by target#<accountId>#<region>", () => {
    // Act & Assess
    expect(TARGET_SK_PREFIX).toBe('target#');
    expect(targetSk(target)).toBe('target#123456789012#eu-west-1');
    expect(targetItemKey(RUN, target)).toEqual({
      pk: { S: `run#${RUN}` },
      sk: { S: 'target#123456789012#eu-west-1' },
    });
  });

  it('gives the items of two targets of the same run different keys', () => {
    // Act
    const keys = [
      target,
      { ...target, region: 'us-east-1' },
      { ...target, accountId: '111122223333' },
    ].map((each) => JSON.stringify(targetItemKey(RUN, each)));

    // Assess
    expect(new Set(keys).size).toBe(3);
  });

  it("keeps the prefixes of the sort keys apart, so a run's items are told apart by their prefix", () => {
    // Act & Assess
    expect(LIST_SK_PREFIX).toBe('list#');
    const prefixes = [HEADER_SK, TARGET_SK_PREFIX, LIST_SK_PREFIX];
    for (const prefix of prefixes)
      for (const other of prefixes)
        if (prefix !== other) expect(other.startsWith(prefix), `${other} / ${prefix}`).toBe(false);
  });
});

describe('expiresAtOf', () => {
  it('is the seconds since 1970 of the time given plus the TTL in days', () => {
    // Prepare
    const now = new Date('2026-11-30T08:00:00.000Z');

    // Act & Assess
    expect(expiresAtOf(now, 30)).toBe(String(now.getTime() / 1000 + 30 * 86_400));
    expect(expiresAtOf(now, 1)).toBe('1796112000');
    expect(expiresAtOf(now, 0)).toBe(String(now.getTime() / 1000));
  });

  it('rounds a time within a second up, and a fraction of a day to the nearest second', () => {
    // Prepare
    const now = new Date('2026-11-30T08:00:00.001Z');
    const whole = Date.parse('2026-11-30T08:00:01.000Z') / 1000;

    // Act & Assess
    expect(expiresAtOf(now, 0)).toBe(String(whole));
    expect(expiresAtOf(now, 0.5)).toBe(String(whole + 43_200));
    expect(expiresAtOf(now, 1 / 86_400 / 3)).toBe(String(whole));
    expect(expiresAtOf(now, (2 / 3) * (1 / 86_400))).toBe(String(whole + 1));
  });

  it('keeps a run 30 days by default', () => {
    // Act & Assess
    expect(DEFAULT_TTL_DAYS).toBe(30);
  });
});
