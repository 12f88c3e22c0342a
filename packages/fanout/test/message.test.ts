import { ValidationError } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import { parseMessage, runIdOf } from '../src/message.ts';

const target = {
  v: 1,
  kind: 'target',
  runId: 'snapshot-cleanup/2026-11-30T08:00:00.000Z',
  function: 'snapshot-cleanup',
  target: { accountId: '123456789012', region: 'eu-west-1' },
  event: { retentionDays: 40 },
  deadline: '2026-11-30T08:15:00.000Z',
};
const deadline = {
  v: 1,
  kind: 'deadline',
  runId: 'snapshot-cleanup/2026-11-30T08:00:00.000Z',
  function: 'snapshot-cleanup',
  deadline: '2026-11-30T08:15:00.000Z',
};

const issuesOf = (body: string) => {
  try {
    parseMessage(body);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('parsed');
};

describe('parseMessage', () => {
  it('reads a target message and a deadline message', () => {
    expect(parseMessage(JSON.stringify(target))).toEqual(target);
    expect(parseMessage(JSON.stringify(deadline))).toEqual(deadline);
  });

  it('accepts a GovCloud region and drops fields it does not know', () => {
    const message = parseMessage(
      JSON.stringify({
        ...target,
        target: { accountId: '123456789012', region: 'us-gov-west-1' },
        extra: 1,
      }),
    );
    expect(message).toEqual({
      ...target,
      target: { accountId: '123456789012', region: 'us-gov-west-1' },
    });
  });

  it('names the body when it is not JSON', () => {
    expect(issuesOf('{"v":')).toEqual([{ path: '(root)', message: 'must be JSON' }]);
    expect(() => parseMessage('{"v":')).toThrow('Invalid fan-out message: (root): must be JSON');
  });

  it('says which fields must be text', () => {
    expect(
      issuesOf(
        JSON.stringify({
          ...target,
          runId: 1,
          function: 2,
          deadline: 3,
          target: { accountId: 4, region: 5 },
        }),
      ),
    ).toEqual([
      { path: 'runId', message: 'runId must be text' },
      { path: 'function', message: 'function must be text' },
      { path: 'deadline', message: 'deadline must be a time' },
      { path: 'target.accountId', message: 'target.accountId must be text' },
      { path: 'target.region', message: 'target.region must be text' },
    ]);
  });

  it.each([
    ['1234567890123', 'eu-west-1', 'target.accountId'],
    ['x123456789012', 'eu-west-1', 'target.accountId'],
    ['123456789012x', 'eu-west-1', 'target.accountId'],
    ['123456789012', 'xeu-west-1', 'target.region'],
    ['123456789012', 'eu-west-1x', 'target.region'],
    ['123456789012', 'eu-west-123', 'target.region'],
  ])('refuses account %s in region %s, naming %s', (accountId, region, path) => {
    expect(
      issuesOf(JSON.stringify({ ...target, target: { accountId, region } })).map(
        (issue) => issue.path,
      ),
    ).toEqual([path]);
  });

  it('accepts a region numbered with two digits', () => {
    const message = parseMessage(
      JSON.stringify({ ...target, target: { accountId: '123456789012', region: 'ap-east-12' } }),
    );
    expect(message.kind === 'target' && message.target.region).toBe('ap-east-12');
  });

  it('refuses a run id longer than 512 characters', () => {
    expect(issuesOf(JSON.stringify({ ...deadline, runId: 'r'.repeat(513) }))).toEqual([
      { path: 'runId', message: 'runId is too long' },
    ]);
    expect(
      parseMessage(JSON.stringify({ ...deadline, runId: 'r'.repeat(512) })).runId,
    ).toHaveLength(512);
  });

  it('names an unknown kind', () => {
    expect(issuesOf(JSON.stringify({ ...deadline, kind: 'other' }))).toEqual([
      { path: 'kind', message: 'kind must be target or deadline' },
    ]);
  });

  it('says a body that is not an object must be one', () => {
    expect(issuesOf('"text"')).toEqual([{ path: '(root)', message: 'must be an object' }]);
  });

  it('names every bad field of a target message', () => {
    const issues = issuesOf(
      JSON.stringify({
        ...target,
        v: 2,
        runId: '',
        function: 'a b',
        target: { accountId: '12345', region: 'Europe' },
        event: 'x',
        deadline: '2026-11-30T08:15:00Z',
      }),
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      'v',
      'runId',
      'function',
      'deadline',
      'target.accountId',
      'target.region',
      'event',
    ]);
    expect(issues.map((issue) => issue.message)).toEqual([
      'v must be 1',
      'runId must not be empty',
      'function must be a function name',
      'deadline must be an ISO 8601 time in UTC (toISOString)',
      'target.accountId must be 12 digits',
      'target.region must be a region name',
      'event must be an object',
    ]);
  });

  it('names a missing target', () => {
    const { target: _, ...withoutTarget } = target;
    expect(issuesOf(JSON.stringify(withoutTarget))).toEqual([
      { path: 'target', message: 'target must be an object with accountId and region' },
    ]);
  });
});

describe('runIdOf', () => {
  it('is the function and the scheduled time, so two deliveries of one event make one run', () => {
    expect(runIdOf('snapshot-cleanup', '2026-11-30T08:00:00Z')).toBe(
      'snapshot-cleanup/2026-11-30T08:00:00.000Z',
    );
    expect(runIdOf('backup-manager', new Date('2026-11-30T08:00:00.000Z'))).toBe(
      'backup-manager/2026-11-30T08:00:00.000Z',
    );
  });

  it('is random without a valid scheduled time', () => {
    const first = runIdOf('infra-scaler', undefined);
    const second = runIdOf('infra-scaler', 'not a time');
    expect(first).toMatch(/^infra-scaler\/[0-9a-f-]{36}$/);
    expect(second).toMatch(/^infra-scaler\/[0-9a-f-]{36}$/);
    expect(first).not.toBe(second);
  });
});
