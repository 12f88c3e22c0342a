import type { HistoryItem, RunRecord } from '@nightshift/history';
import { describe, expect, it } from 'vitest';
import { needsAPerson } from '../src/attention.ts';

const NOW = new Date('2026-11-30T07:00:00.000Z');
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

const run = (
  finishedAt: string,
  items: HistoryItem[],
  {
    service = 'infra-scaler',
    dryRun = false,
    account = ACCOUNT,
    region = REGION,
  }: { service?: string; dryRun?: boolean; account?: string; region?: string } = {},
): RunRecord => ({
  environment: 'production',
  account,
  region,
  service,
  startedAt: finishedAt,
  finishedAt,
  dryRun,
  counts: { planned: 0, done: 0, failed: 0, skipped: 0 },
  totals: {},
  items,
});

const failed = (id: string, action: string, reason: string, details?: HistoryItem['details']) => ({
  list: 'failed' as const,
  id,
  action,
  reason,
  ...(details ? { details } : {}),
});

describe('needsAPerson', () => {
  it('lists failed items, fallen-back starts, idle instances and last backups of deleted volumes, newest first', () => {
    const records = [
      run('2026-11-29T18:00:00.000Z', [
        { list: 'done', id: 'i-stopped', action: 'stop', reason: 'schedule office-hours' },
        failed('i-broken', 'stop', 'IncorrectInstanceState: instance is pending'),
      ]),
      run(
        '2026-11-30T02:00:00.000Z',
        [
          {
            list: 'skipped',
            id: 'snap-last',
            action: 'delete',
            reason: 'newest snapshot of its volume',
            details: { attention: 'kept only as the last backup of deleted volume vol-9' },
          },
          { list: 'skipped', id: 'snap-young', action: 'delete', reason: 'younger than 30 days' },
          { list: 'skipped', id: 'i-flagged', action: 'flag idle', reason: 'already flagged' },
          { list: 'done', id: 'snap-old', action: 'delete', reason: 'older than 30 days' },
        ],
        { service: 'snapshot-cleanup' },
      ),
      run('2026-11-30T06:00:00.000Z', [
        failed('i-fell', 'start', 'InsufficientInstanceCapacity', { fellBack: true }),
        failed('i-not-fell', 'start', 'Unsupported', { fellBack: false }),
        { list: 'done', id: 'i-idle', action: 'flag idle', reason: 'CPU under 2% for 7 days' },
        { list: 'done', id: 'i-started', action: 'start', reason: 'schedule office-hours' },
      ]),
    ];

    expect(needsAPerson(records, { now: NOW })).toEqual([
      {
        category: 'fell back to stopped',
        service: 'infra-scaler',
        account: ACCOUNT,
        region: REGION,
        id: 'i-fell',
        action: 'start',
        reason: 'InsufficientInstanceCapacity',
        at: '2026-11-30T06:00:00.000Z',
      },
      {
        category: 'failed',
        service: 'infra-scaler',
        account: ACCOUNT,
        region: REGION,
        id: 'i-not-fell',
        action: 'start',
        reason: 'Unsupported',
        at: '2026-11-30T06:00:00.000Z',
      },
      {
        category: 'idle',
        service: 'infra-scaler',
        account: ACCOUNT,
        region: REGION,
        id: 'i-idle',
        action: 'flag idle',
        reason: 'CPU under 2% for 7 days',
        at: '2026-11-30T06:00:00.000Z',
      },
      {
        category: 'last backup of a deleted volume',
        service: 'snapshot-cleanup',
        account: ACCOUNT,
        region: REGION,
        id: 'snap-last',
        action: 'delete',
        reason: 'kept only as the last backup of deleted volume vol-9',
        at: '2026-11-30T02:00:00.000Z',
      },
      {
        category: 'failed',
        service: 'infra-scaler',
        account: ACCOUNT,
        region: REGION,
        id: 'i-broken',
        action: 'stop',
        reason: 'IncorrectInstanceState: instance is pending',
        at: '2026-11-29T18:00:00.000Z',
      },
    ]);
  });

  it('looks at the last 24 hours only: a run exactly 24 h old is out, one a second younger is in, a later one is out', () => {
    const records = [
      run('2026-11-29T07:00:00.000Z', [failed('i-day-old', 'stop', 'e')]),
      run('2026-11-29T07:00:01.000Z', [failed('i-in', 'stop', 'e')]),
      run('2026-11-30T07:00:00.000Z', [failed('i-now', 'stop', 'e')]),
      run('2026-11-30T07:00:01.000Z', [failed('i-future', 'stop', 'e')]),
    ];

    expect(needsAPerson(records, { now: NOW }).map((entry) => entry.id)).toEqual(['i-now', 'i-in']);
  });

  it('ignores dry runs', () => {
    const records = [
      run('2026-11-30T05:00:00.000Z', [failed('i-dry', 'stop', 'e')], { dryRun: true }),
      run(
        '2026-11-30T05:00:00.000Z',
        [{ list: 'done', id: 'i-dry-idle', action: 'flag idle', reason: 'idle' }],
        { dryRun: true },
      ),
    ];

    expect(needsAPerson(records, { now: NOW })).toEqual([]);
  });

  it('lists a resource once per category, as the newest run saw it, whatever the order of the records', () => {
    const records = [
      run('2026-11-30T06:00:00.000Z', [failed('i-1', 'start', 'newest reason')]),
      run('2026-11-29T20:00:00.000Z', [
        failed('i-1', 'stop', 'older reason'),
        { list: 'done', id: 'i-1', action: 'flag idle', reason: 'idle' },
      ]),
      run('2026-11-30T01:00:00.000Z', [
        failed('i-1', 'start', 'middle reason'),
        failed('i-1', 'start', 'same run again'),
      ]),
    ];

    expect(
      needsAPerson(records, { now: NOW }).map(({ id, category, reason, at }) => ({
        id,
        category,
        reason,
        at,
      })),
    ).toEqual([
      { id: 'i-1', category: 'failed', reason: 'newest reason', at: '2026-11-30T06:00:00.000Z' },
      { id: 'i-1', category: 'idle', reason: 'idle', at: '2026-11-29T20:00:00.000Z' },
    ]);
  });

  it('keeps the same id apart across services, accounts and Regions', () => {
    const records = [
      run('2026-11-30T06:00:00.000Z', [failed('i-1', 'stop', 'a')]),
      run('2026-11-30T05:00:00.000Z', [failed('i-1', 'back up', 'b')], {
        service: 'backup-manager',
      }),
      run('2026-11-30T04:00:00.000Z', [failed('i-1', 'stop', 'c')], { account: '210987654321' }),
      run('2026-11-30T03:00:00.000Z', [failed('i-1', 'stop', 'd')], { region: 'us-east-1' }),
    ];

    expect(needsAPerson(records, { now: NOW }).map((entry) => entry.reason)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('takes the item’s reason when the attention sentence is empty, and ignores attention that is not a sentence', () => {
    const records = [
      run(
        '2026-11-30T06:00:00.000Z',
        [
          {
            list: 'skipped',
            id: 'snap-1',
            action: 'delete',
            reason: 'kept',
            details: { attention: '' },
          },
          {
            list: 'skipped',
            id: 'snap-2',
            action: 'delete',
            reason: 'kept',
            details: { attention: true },
          },
          {
            list: 'done',
            id: 'snap-3',
            action: 'delete',
            reason: 'deleted',
            details: { attention: 'not for done items' },
          },
        ],
        { service: 'snapshot-cleanup' },
      ),
    ];

    expect(needsAPerson(records, { now: NOW })).toEqual([
      {
        category: 'last backup of a deleted volume',
        service: 'snapshot-cleanup',
        account: ACCOUNT,
        region: REGION,
        id: 'snap-1',
        action: 'delete',
        reason: 'kept',
        at: '2026-11-30T06:00:00.000Z',
      },
    ]);
  });
});
