import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/render/text.ts';
import {
  attentionItem,
  DASHBOARD_URL,
  missingBackup,
  sampleReport,
  sampleYesterday,
} from '../fixtures/report.ts';

describe('renderText', () => {
  const sample = () => renderText(sampleReport());

  it('has a subject with the money of the last 24 hours and what needs doing', () => {
    const { subject } = sample();
    expect(subject).toBe(
      'Nightshift morning report staging: $12.35 saved, 2 backups missing, 4 need a person',
    );
  });

  it('starts with the title and the summary, the money marked as an estimate', () => {
    const { text } = sample();
    expect(text.split('\n').slice(0, 11)).toEqual([
      'Nightshift morning report: staging, Mon, 30 Nov 2026',
      '',
      'Saved, last 24 h: $12.35 (estimate)',
      'Saved this month: $1,234.50 (estimate)',
      'Instance-hours stopped: 42 in the last 24 h, 840 this month; 5 resources stopped now',
      'Snapshots deleted: 150 GiB in the last 24 h (saves $7.50 a month in storage), 1,200 GiB this month (saves $60.00 a month in storage)',
      'Backups missing: 2 of 12 protected resources',
      'Needs a person: 4',
      'Money is an estimate: on-demand list prices, no discounts.',
      'Hours only for ec2 t4g.nano in eu-south-2 (prices could not be read).',
      '',
    ]);
  });

  it('lists the missing backups with where they are and their age, or that there is none', () => {
    const { text } = sample();
    expect(text).toContain(
      [
        'Missing backups (2): none newer than 26 h',
        '- RDS instance orders (orders-db), 111122223333/eu-west-1: no backup',
        '- EC2 instance web-1 (i-0web), 111122223333/eu-west-1: last backup 2 days old (EBS snapshots)',
      ].join('\n'),
    );
  });

  it('lists what needs a person by category, after the missing backups', () => {
    const { text } = sample();
    expect(text).toContain(
      [
        'Needs a person (4)',
        '',
        'Failed (1)',
        '- infra-scaler start i-0fail, 111122223333/eu-west-1: InsufficientInstanceCapacity: not enough capacity for t3.large',
        '',
        'Fell back to stopped (1)',
        '- infra-scaler start i-0back, 111122223333/eu-west-1: did not reach running within 10 minutes',
        '',
        'Idle (1)',
        '- infra-scaler flag idle i-0idle, 111122223333/eu-west-1: CPU under 2% for 7 days',
        '',
        'Kept only as the last backup of a deleted volume (1)',
        '- snapshot-cleanup keep snap-0keep, 111122223333/eu-west-1: kept only as the last backup of deleted volume vol-0gone',
      ].join('\n'),
    );
    expect(text.indexOf('Missing backups')).toBeLessThan(text.indexOf('Needs a person (4)'));
  });

  it('ends with the notes, the runs read and the dashboard link on a line of its own', () => {
    const { text } = sample();
    expect(text.endsWith(`The details are on the dashboard:\n${DASHBOARD_URL}`)).toBe(true);
    expect(text).toContain(
      'Notes\n- AWS Backup could not be read (AccessDeniedException): its recovery points are not counted.\nFrom 42 runs in the history, 1 with failures.',
    );
    expect(text.indexOf('Notes')).toBeGreaterThan(text.indexOf('Kept only as'));
  });

  it('names the month and hours in a subject when no hour of the last 24 h had a price', () => {
    const report = sampleReport({
      yesterday: sampleYesterday({ usd: 0, unpricedInstanceHours: 42 }),
      attention: [attentionItem(1)],
      coverage: { protected: 3, missing: [missingBackup(1)], allowedAgeHours: 26 },
    });
    expect(renderText(report).subject).toBe(
      'Nightshift morning report staging: 42 instance-hours stopped, 1 backup missing, 1 needs a person',
    );
  });

  it('keeps the subject an ASCII line under 100 characters, whatever the environment', () => {
    const { subject: long } = renderText(sampleReport({ environment: `prod\n${'é'.repeat(300)}` }));
    expect(long.length).toBeLessThan(100);
    expect(long).toMatch(/^[\x20-\x7e]+$/);
    expect(long.startsWith('Nightshift morning report prod e')).toBe(true);
  });
});

describe('the lists', () => {
  it('group what needs a person by category in a fixed order, each in the order given', () => {
    const report = sampleReport({
      attention: [
        attentionItem(1, { category: 'idle', id: 'i-idle1' }),
        attentionItem(2, { category: 'failed', id: 'i-fail1' }),
        attentionItem(3, { category: 'idle', id: 'i-idle2' }),
        attentionItem(4, { category: 'failed', id: 'i-fail2' }),
      ],
    });
    const { text } = renderText(report);
    const order = ['Failed (2)', 'i-fail1', 'i-fail2', 'Idle (2)', 'i-idle1', 'i-idle2'].map(
      (part) => text.indexOf(part),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).not.toContain('Fell back to stopped');
  });

  it('show a reason-less item without a colon, and a missing backup without a name by its id', () => {
    const report = sampleReport({
      attention: [attentionItem(1, { reason: '  ' })],
      coverage: {
        protected: 2,
        missing: [missingBackup(1, { kind: 'db-cluster', id: 'aurora-1', name: 'aurora-1' })],
        allowedAgeHours: 26,
      },
    });
    const { text } = renderText(report);
    expect(text).toContain('- infra-scaler start i-00000000000000001, 111122223333/eu-west-1\n');
    expect(text).toContain('- DB cluster aurora-1, 111122223333/eu-west-1: no backup');
  });

  it('show a backup that is too old by its age in hours, without a source when none is known', () => {
    const report = sampleReport({
      coverage: {
        protected: 2,
        missing: [missingBackup(1, { newestBackupAt: '2026-11-29T02:00:00Z', ageHours: 28 })],
        allowedAgeHours: 26,
      },
    });
    expect(renderText(report).text).toContain(
      '- EC2 instance i-00000000000000001, 111122223333/eu-west-1: last backup 28 h old\n',
    );
  });
});
