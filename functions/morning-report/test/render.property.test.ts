import { slackLimitIssues, teamsLimitIssues } from '@nightshift/delivery/chat';
import { SNS_MAX_PUBLISH_BYTES } from '@nightshift/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attention, Coverage, MorningReport, SavingsWindow } from '../src/model.ts';
import { renderSlack, renderTeams, renderText } from '../src/render.ts';

/**
 * Any text: any code point, or the characters that grow most once escaped for markup and
 * JSON (a lone surrogate is six bytes of JSON), sometimes thousands of them.
 */
const text = (maxLength = 300) =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({
      unit: fc.constantFrom('*', '_', '\\', '"', '<', '&', '\u0000', '\n', '\ud800', '日', '🌙'),
      maxLength,
    }),
  );

const amount = fc.oneof(
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  fc.constantFrom(0, 0.004, 1e21),
  fc.double(),
);

const window: fc.Arbitrary<SavingsWindow> = fc
  .record(
    {
      from: text(40),
      to: text(40),
      resourceHours: amount,
      instanceHours: amount,
      usd: amount,
      unpricedInstanceHours: amount,
      snapshotGiBDeleted: amount,
      snapshotUsdPerMonth: amount,
    },
    { requiredKeys: ['from', 'to', 'resourceHours', 'instanceHours', 'usd'] },
  )
  .map((fields) => ({ unpricedInstanceHours: 0, snapshotGiBDeleted: 0, ...fields }));

const coverage: fc.Arbitrary<Coverage> = fc.record(
  {
    account: text(20),
    region: text(20),
    kind: fc.constantFrom('instance', 'db-instance', 'db-cluster'),
    id: text(),
    name: text(),
    newestBackupAt: text(30),
    source: text(30),
    ageHours: amount,
    missing: fc.constant(true),
  },
  { requiredKeys: ['account', 'region', 'kind', 'id', 'missing'] },
);

const attention: fc.Arbitrary<Attention> = fc.record({
  category: fc.constantFrom(
    'failed',
    'fell back to stopped',
    'idle',
    'last backup of a deleted volume',
  ),
  service: text(30),
  account: text(20),
  region: text(20),
  id: text(),
  action: text(30),
  reason: text(3_500),
  at: text(30),
});

const report: fc.Arbitrary<MorningReport> = fc.record(
  {
    environment: text(),
    generatedAt: fc.oneof(
      fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      text(40),
    ),
    timezone: fc.oneof(fc.constantFrom('UTC', 'Europe/Paris', 'Pacific/Kiritimati'), text(40)),
    yesterday: window,
    month: window,
    stoppedNow: fc.oneof(fc.nat(), fc.double()),
    unpriced: fc.array(text(100), { maxLength: 30 }),
    coverage: fc.record({
      protected: fc.nat(),
      missing: fc.array(coverage, { maxLength: 80 }),
      allowedAgeHours: amount,
    }),
    attention: fc.array(attention, { maxLength: 60 }),
    runs: fc.record({ total: fc.nat(), withFailures: fc.nat() }),
    dashboardUrl: fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      text(200),
    ),
    notes: fc.array(text(2_500), { maxLength: 15 }),
  },
  {
    requiredKeys: [
      'environment',
      'generatedAt',
      'timezone',
      'yesterday',
      'month',
      'stoppedNow',
      'unpriced',
      'coverage',
      'attention',
      'runs',
      'notes',
    ],
  },
);

describe('rendering any report', () => {
  it('never throws, and stays within what Slack, Teams and SNS take', () => {
    fc.assert(
      fc.property(report, (morning) => {
        expect(slackLimitIssues(renderSlack(morning))).toEqual([]);
        expect(teamsLimitIssues(renderTeams(morning))).toEqual([]);
        const { subject, text } = renderText(morning);
        expect(subject).toMatch(/^[\x20-\x7e]{1,99}$/);
        expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(SNS_MAX_PUBLISH_BYTES);
      }),
      { numRuns: 100 },
    );
  }, 30_000);
});
