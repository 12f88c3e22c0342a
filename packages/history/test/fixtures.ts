import { createReport, type Report } from '@nightshift/runtime';
import type { RunOrigin, RunRecord } from '../src/types.ts';

export const TABLE = 'nightshift-history-test';
export const ORIGIN: RunOrigin = {
  environment: 'staging',
  account: '123456789012',
  region: 'eu-west-1',
};

/** A report of a finished run that stopped one instance and failed another. */
export const aReport = (finishedAt = '2026-11-30T19:00:05.000Z'): Report => {
  const report = createReport('infra-scaler', {
    dryRun: false,
    now: new Date('2026-11-30T19:00:00.000Z'),
  });
  report.finishedAt = finishedAt;
  report.planned.push({ id: 'i-1', action: 'stop', reason: 'tagged' });
  report.done.push({
    id: 'i-1',
    action: 'stop',
    reason: 'stopped',
    details: { kind: 'instance', instanceType: 't3.micro' },
  });
  report.failed.push({ id: 'i-2', action: 'stop', reason: 'UnauthorizedOperation: denied' });
  report.skipped.push({ id: 'i-3', action: 'skip', reason: 'not tagged' });
  report.skipped.push({
    id: 'snap-1',
    action: 'keep',
    reason: 'newest snapshot',
    details: { attention: 'kept only as the last backup of deleted volume vol-1' },
  });
  report.totals = { instancesSeen: 3 };
  return report;
};

/** A record as `toRunRecord` makes it. */
export const aRecord = (overrides: Partial<RunRecord> = {}): RunRecord => ({
  service: 'snapshot-cleanup',
  ...ORIGIN,
  startedAt: '2026-11-30T03:00:00.000Z',
  finishedAt: '2026-11-30T03:00:09.000Z',
  dryRun: false,
  counts: { planned: 1, done: 1, skipped: 0, failed: 0 },
  totals: { sourceVolumeGiB: 8 },
  items: [{ list: 'done', id: 'snap-9', action: 'delete', reason: 'older than 30 days' }],
  ...overrides,
});
