import type { ITextBlock } from '@microsoft/teams.cards';
import { teamsLimitIssues } from '@nightshift/delivery/chat';
import { describe, expect, it } from 'vitest';
import { renderTeams } from '../../src/render/teams.ts';
import {
  attentionItem,
  DASHBOARD_URL,
  missingBackup,
  quietReport,
  sampleReport,
} from '../fixtures/report.ts';
import { card, teamsText, teamsTexts } from './texts.ts';

describe('renderTeams', () => {
  const sample = () => {
    const message = renderTeams(sampleReport());
    return { message, content: card(message) };
  };

  it('is an Adaptive Card of a version Teams renders, within 28 KB', () => {
    const { message, content } = sample();
    expect(content.version).toBe('1.4');
    expect(teamsLimitIssues(message)).toEqual([]);
  });

  it('has the title, the summary as facts, the estimate and the unpriced types', () => {
    const { message, content } = sample();
    expect(teamsTexts(message).slice(0, 8)).toEqual([
      'Nightshift morning report: staging, Mon, 30 Nov 2026',
      'Saved, last 24 h: $12.35 (estimate)',
      'Saved this month: $1,234.50 (estimate)',
      'Instance-hours stopped: 42 in the last 24 h, 840 this month; 5 resources stopped now',
      'Snapshots deleted: 150 GiB in the last 24 h (saves $7.50 a month in storage), 1,200 GiB this month (saves $60.00 a month in storage)',
      'Backups missing: 2 of 12 protected resources',
      'Needs a person: 4',
      'Money is an estimate: on-demand list prices, no discounts. Hours only for ec2 t4g.nano in eu-south-2 (prices could not be read).',
    ]);
    expect(content.body?.[0]).toMatchObject({ weight: 'Bolder', color: 'Warning' });
  });

  it('lists the missing backups and what needs a person by category', () => {
    const { message } = sample();
    const texts = teamsTexts(message);
    expect(texts).toContain(
      '**Missing backups (2)**: none newer than 26 h\n- RDS instance orders (orders-db), 111122223333/eu-west-1: no backup\n- EC2 instance web-1 (i-0web), 111122223333/eu-west-1: last backup 2 days old (EBS snapshots)',
    );
    expect(texts).toContain(
      '**Fell back to stopped (1)**\n- infra-scaler start i-0back, 111122223333/eu-west-1: did not reach running within 10 minutes',
    );
    expect(texts.at(-1)).toBe('From 42 runs in the history, 1 with failures.');
  });

  it('has a button to the dashboard', () => {
    const { content } = sample();
    expect(content.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open the dashboard', url: DASHBOARD_URL },
    ]);
  });

  it('escapes the markdown Teams renders in names and reasons', () => {
    const report = sampleReport({
      attention: [attentionItem(1, { id: 'web_*1*', reason: 'see [docs](x)' })],
    });
    expect(teamsText(renderTeams(report))).toContain(
      'web\\_\\*1\\*, 111122223333/eu-west-1: see \\[docs\\]\\(x\\)',
    );
  });

  it('has a Teams card of a title, the facts, small print, the lists with separators, and the runs', () => {
    const body = card(renderTeams(sampleReport())).body ?? [];
    expect(body.map((element) => element.type)).toEqual([
      'TextBlock',
      'FactSet',
      ...Array.from({ length: 9 }, () => 'TextBlock'),
    ]);
    expect(body[0]).toEqual({
      type: 'TextBlock',
      text: 'Nightshift morning report: staging, Mon, 30 Nov 2026',
      weight: 'Bolder',
      size: 'Medium',
      color: 'Warning',
      wrap: true,
    });
    const small = { type: 'TextBlock', wrap: true, isSubtle: true, size: 'Small' };
    expect(body[2]).toEqual({ ...small, text: expect.stringMatching(/^Money is an estimate/) });
    expect(body[10]).toEqual({ ...small, text: 'From 42 runs in the history, 1 with failures.' });
    const listed = { type: 'TextBlock', wrap: true, separator: true };
    expect(body[3]).toEqual({ ...listed, text: expect.stringMatching(/^\*\*Missing backups/) });
    expect(body[4]).toEqual({ ...listed, text: '**Needs a person (4)**' });
    expect(body[5]).toEqual({
      type: 'TextBlock',
      wrap: true,
      text: expect.stringMatching(/^\*\*Failed \(1\)\*\*/),
    });
    expect(body[9]).toEqual({ ...listed, text: expect.stringMatching(/^\*\*Notes\*\*/) });
  });

  it('colours the Teams title by what the report says', () => {
    const colour = (report: ReturnType<typeof sampleReport>) =>
      card(renderTeams(report)).body?.[0] as ITextBlock;
    const none = { coverage: { protected: 2, missing: [], allowedAgeHours: 26 }, attention: [] };
    expect(colour(sampleReport(none)).color).toBe('Default');
    expect(colour(sampleReport({ ...none, attention: [attentionItem(1)] })).color).toBe('Warning');
    expect(
      colour(sampleReport({ ...none, coverage: { ...none.coverage, missing: [missingBackup(1)] } }))
        .color,
    ).toBe('Warning');
    expect(colour(quietReport()).color).toBe('Good');
  });
});
