// The wording the three renderings share (src/render/common.ts): what each function says,
// and what every rendering says alike, checked through all three.
import { slackLimitIssues, teamsLimitIssues } from '@nightshift/delivery/chat';
import { describe, expect, it } from 'vitest';
import type { Attention } from '../../src/model.ts';
import {
  ESTIMATE,
  fitList,
  formatAge,
  formatAmount,
  formatUsd,
  isQuiet,
} from '../../src/render/common.ts';
import { renderSlack } from '../../src/render/slack.ts';
import { renderTeams } from '../../src/render/teams.ts';
import { renderText } from '../../src/render/text.ts';
import {
  attentionItem,
  DASHBOARD_URL,
  emptyWindow,
  missingBackup,
  quietReport,
  sampleMonth,
  sampleReport,
  sampleYesterday,
} from '../fixtures/report.ts';
import { card, renderings, slackText, slackTexts, teamsText, teamsTexts } from './texts.ts';

describe('a quiet night', () => {
  it('is nothing stopped, deleted, missing or needing a person in the last 24 hours', () => {
    expect(isQuiet(quietReport())).toBe(true);
    expect(isQuiet(sampleReport())).toBe(false);
    const tells: [string, Partial<ReturnType<typeof sampleReport>>][] = [
      ['resource-hours', { yesterday: emptyWindow({ resourceHours: 1 }) }],
      ['instance-hours', { yesterday: emptyWindow({ instanceHours: 0.5 }) }],
      ['snapshots deleted', { yesterday: emptyWindow({ snapshotGiBDeleted: 8 }) }],
      ['stopped now', { stoppedNow: 1 }],
      [
        'a missing backup',
        { coverage: { protected: 1, missing: [missingBackup(1)], allowedAgeHours: 26 } },
      ],
      ['needs a person', { attention: [attentionItem(1, { category: 'idle' })] }],
    ];
    for (const [what, overrides] of tells)
      expect(isQuiet(quietReport(overrides)), what).toBe(false);
  });

  it('renders a short "all quiet" report with the month so far, three ways', () => {
    const report = quietReport();
    const quiet =
      'All quiet: nothing was stopped or deleted in the last 24 h, every one of the 12 protected resources has a recent backup, and nothing needs a person.';
    const month = `This month so far: $1,234.50 saved (${ESTIMATE}).`;
    const { subject, text } = renderText(report);
    expect(subject).toBe('Nightshift morning report staging: all quiet');
    expect(text).toBe(
      [
        'Nightshift morning report: staging, Mon, 30 Nov 2026',
        '',
        quiet,
        month,
        '',
        'From 42 runs in the history.',
        '',
        'The details are on the dashboard:',
        DASHBOARD_URL,
      ].join('\n'),
    );
    const slack = renderSlack(report);
    expect(slack.text).toBe('Nightshift staging: all quiet');
    expect(slack.blocks?.map((block) => block.type)).toEqual([
      'header',
      'section',
      'context',
      'actions',
    ]);
    expect(slackTexts(slack)[1]).toBe(`${quiet}\n${month}`);
    const teams = renderTeams(report);
    expect(teamsTexts(teams).slice(1)).toEqual([quiet, month, 'From 42 runs in the history.']);
    expect(card(teams).body?.[0]).toMatchObject({ color: 'Good' });
  });

  it('says nothing of the month when the month has saved nothing, nor of a backup without any protected', () => {
    const report = quietReport({
      month: emptyWindow(),
      coverage: { protected: 0, missing: [], allowedAgeHours: 26 },
    });
    for (const [name, text] of renderings(report)) {
      expect(text, name).toContain(
        'All quiet: nothing was stopped or deleted in the last 24 h, no backup is missing, and nothing needs a person.',
      );
      expect(text, name).not.toContain('This month');
    }
  });

  it("names the month's hours without a price, and only when the month has any", () => {
    const unpriced = ['ec2 t4g.nano in eu-south-2'];
    const hoursOnly = 'Hours only for ec2 t4g.nano in eu-south-2 (prices could not be read).';
    const report = quietReport({ unpriced, month: sampleMonth() });
    for (const [name, text] of renderings(report)) {
      expect(text, name).toContain('This month so far: $1,234.50 saved');
      expect(text, name).toContain(hoursOnly);
    }
    for (const [name, text] of renderings(quietReport({ unpriced, month: emptyWindow() })))
      expect(text, name).not.toContain('Hours only');
  });

  it('gives the month in hours when it has no price', () => {
    const report = quietReport({
      month: sampleMonth({ usd: 0, unpricedInstanceHours: 840 }),
    });
    expect(renderText(report).text).toContain(
      'This month so far: 840 instance-hours stopped (hours only).',
    );
  });
});

describe('money, hours and ages', () => {
  it('formats dollars with two decimals and thousands', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.1 + 0.2)).toBe('$0.30');
    expect(formatUsd(0.004)).toBe('under $0.01');
    expect(formatUsd(0.006)).toBe('$0.01');
    expect(formatUsd(12.3456)).toBe('$12.35');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(1_234_567.891)).toBe('$1,234,567.89');
  });

  it('formats hours and GiB with at most one decimal and thousands', () => {
    expect(formatAmount(0)).toBe('0');
    expect(formatAmount(0.25)).toBe('0.3');
    expect(formatAmount(10.04)).toBe('10');
    expect(formatAmount(1234.56)).toBe('1,234.6');
    expect(formatAmount(Number.NaN)).toBe('n/a');
    expect(formatAmount(Number.POSITIVE_INFINITY)).toBe('n/a');
  });

  it('gives an age in hours under two days, in days from then on', () => {
    expect(formatAge(0)).toBe('0 h');
    expect(formatAge(26.6)).toBe('27 h');
    expect(formatAge(47.4)).toBe('47 h');
    expect(formatAge(48)).toBe('2 days');
    expect(formatAge(24 * 9 + 23)).toBe('9 days');
    expect(formatAge(-3)).toBe('0 h');
    expect(formatAge(Number.NaN)).toBe('unknown time');
  });

  it('shows money of fractions and thousands in the summary, and the storage saved only when priced', () => {
    const report = sampleReport({
      yesterday: sampleYesterday({ usd: 0.5, snapshotUsdPerMonth: undefined }),
      month: sampleMonth({ usd: 98_765.432, snapshotUsdPerMonth: 1234.5 }),
    });
    for (const [name, text] of renderings(report)) {
      expect(text, name).toMatch(/Saved, last 24 h\*?\*?[:\n] ?\$0\.50 \(estimate\)/);
      expect(text, name).toContain('$98,765.43 (estimate)');
      expect(text, name).toContain(
        '150 GiB in the last 24 h, 1,200 GiB this month (saves $1,234.50 a month in storage)',
      );
    }
  });

  it('shows $0.00 when nothing was stopped', () => {
    const report = sampleReport({ yesterday: emptyWindow(), unpriced: [] });
    expect(renderText(report).text).toContain('Saved, last 24 h: $0.00 (estimate)');
  });
});

describe('hours without a price', () => {
  it('names the types whose price could not be read', () => {
    const report = sampleReport({
      unpriced: ['ec2 t4g.nano in eu-south-2', 'rds db.x2g.large oracle-ee in eu-west-1'],
    });
    for (const [name, text] of renderings(report))
      expect(text, name).toContain(
        'Hours only for ec2 t4g.nano in eu-south-2, rds db.x2g.large oracle-ee in eu-west-1 (prices could not be read).',
      );
  });

  it('counts the hours without a price when no type is named', () => {
    const month = renderText(sampleReport({ unpriced: [] })).text;
    expect(month).toContain(
      'Hours only for 48 instance-hours this month (prices could not be read).',
    );
    const yesterday = renderText(
      sampleReport({ unpriced: [], month: sampleMonth({ unpricedInstanceHours: 0 }) }),
    ).text;
    expect(yesterday).toContain(
      'Hours only for 4 instance-hours in the last 24 h (prices could not be read).',
    );
  });

  it('gives hours only, not $0.00, when none of the hours had a price', () => {
    const report = sampleReport({
      yesterday: sampleYesterday({ usd: 0, unpricedInstanceHours: 42 }),
      month: sampleMonth({ usd: Number.NaN }),
    });
    for (const [name, text] of renderings(report)) {
      expect(text, name).toMatch(/Saved, last 24 h\*?\*?[:\n] ?hours only: 42 instance-hours/);
      expect(text, name).toMatch(/Saved this month\*?\*?[:\n] ?hours only: 840 instance-hours/);
      expect(text, name).not.toContain('$0.00');
    }
    expect(renderSlack(report).text).toBe(
      'Nightshift staging: saved 42 instance-hours in the last 24 h, 840 instance-hours this month (estimate); 2 backups missing; 4 need a person',
    );
  });

  it('says nothing of hours without a price when every hour had one', () => {
    const report = sampleReport({
      unpriced: [],
      yesterday: sampleYesterday({ unpricedInstanceHours: 0 }),
      month: sampleMonth({ unpricedInstanceHours: 0 }),
    });
    for (const [name, text] of renderings(report)) {
      expect(text, name).not.toContain('Hours only');
      expect(text, name).toContain(`Money is an ${ESTIMATE}.`);
    }
  });
});

describe('the dashboard', () => {
  it('has no link, button or pointer when the report has no dashboard', () => {
    const report = sampleReport({
      dashboardUrl: undefined,
      attention: Array.from({ length: 60 }, (_, index) => attentionItem(index)),
    });
    const { text } = renderText(report);
    expect(text).not.toContain('dashboard');
    expect(text).toContain('… and ');
    const slack = renderSlack(report);
    expect(slack.blocks?.some((block) => block.type === 'actions')).toBe(false);
    expect(slackText(slack)).not.toContain('dashboard');
    const teams = renderTeams(report);
    expect(card(teams).actions).toEqual([]);
    expect(teamsText(teams)).not.toContain('dashboard');
  });

  it('is left out when its link is not https', () => {
    for (const dashboardUrl of ['http://example.com/dashboard', 'javascript:alert(1)']) {
      const report = sampleReport({ dashboardUrl });
      expect(renderText(report).text).not.toContain(dashboardUrl);
      expect(JSON.stringify(renderSlack(report))).not.toContain(dashboardUrl);
      expect(card(renderTeams(report)).actions).toEqual([]);
    }
  });
});

describe('a report that cannot be read well', () => {
  it('renders with the time as given when its time zone or time is not valid', () => {
    for (const overrides of [{ timezone: 'Mars/Olympus' }, { generatedAt: 'yesterday' }]) {
      const report = sampleReport(overrides);
      expect(renderText(report).text.split('\n')[0]).toBe(
        `Nightshift morning report: staging, ${report.generatedAt}`,
      );
      expect(slackLimitIssues(renderSlack(report))).toEqual([]);
      expect(teamsLimitIssues(renderTeams(report))).toEqual([]);
    }
  });

  it("gives the day on the report's own clock", () => {
    const report = sampleReport({ generatedAt: '2026-11-30T23:30:00Z', timezone: 'Asia/Tokyo' });
    expect(renderText(report).text).toMatch(/^Nightshift morning report: staging, Tue, 1 Dec 2026/);
  });
});

describe('the parts of each rendering', () => {
  it('leaves out the lists that are empty when the night is not quiet', () => {
    const report = sampleReport({
      coverage: { protected: 2, missing: [], allowedAgeHours: 26 },
      attention: [],
      notes: [],
      unpriced: [],
      yesterday: sampleYesterday({ unpricedInstanceHours: 0 }),
      month: sampleMonth({ unpricedInstanceHours: 0 }),
    });
    const slack = renderSlack(report);
    expect(slack.blocks?.map((block) => block.type)).toEqual([
      'header',
      'section',
      'context',
      'context',
      'actions',
    ]);
    expect(slackTexts({ text: '', blocks: [slack.blocks?.[2] as never] })).toEqual([
      `Money is an ${ESTIMATE}.`,
    ]);
    expect(teamsTexts(renderTeams(report)).slice(7)).toEqual([
      `Money is an ${ESTIMATE}.`,
      'From 42 runs in the history, 1 with failures.',
    ]);
    expect(card(renderTeams(report)).body).toHaveLength(4);
    expect(renderText(report).text).toContain(
      `Needs a person: 0\nMoney is an ${ESTIMATE}.\n\nFrom 42 runs in the history, 1 with failures.\n\n`,
    );
  });

  it('renders a quiet night without the month exactly, three ways', () => {
    const report = quietReport({ month: emptyWindow(), dashboardUrl: undefined });
    const quiet =
      'All quiet: nothing was stopped or deleted in the last 24 h, every one of the 12 protected resources has a recent backup, and nothing needs a person.';
    expect(renderText(report).text).toBe(
      [
        'Nightshift morning report: staging, Mon, 30 Nov 2026',
        '',
        quiet,
        '',
        'From 42 runs in the history.',
      ].join('\n'),
    );
    expect(slackTexts(renderSlack(report))).toEqual([
      'Nightshift morning report: staging, Mon, 30 Nov 2026',
      quiet,
      'From 42 runs in the history.',
    ]);
    expect(card(renderTeams(report)).body).toHaveLength(3);
  });

  it('says what the month saved when it only stopped, or only deleted snapshots', () => {
    const stopped = quietReport({ month: sampleMonth({ snapshotGiBDeleted: 0 }) });
    expect(renderText(stopped).text).toContain('This month so far: $1,234.50 saved');
    const deleted = quietReport({
      month: emptyWindow({ snapshotGiBDeleted: 5, usd: 0 }),
    });
    expect(renderText(deleted).text).toContain('This month so far: $0.00 saved');
  });
});

describe('edges of the lists and numbers', () => {
  it('shows a list line that fits its budget exactly', () => {
    const [a, b] = [`- ${'a'.repeat(20)}`, `- ${'b'.repeat(20)}`];
    const list = { heading: 'H', lines: [a, b], total: 2, dashboard: false };
    const all = `H\n${a}\n${b}`;
    expect(fitList({ ...list, budget: all.length })).toBe(all);
    const one = `H\n${a}\n… and 1 more`;
    expect(fitList({ ...list, budget: all.length - 1 })).toBe(one);
    expect(fitList({ ...list, budget: one.length })).toBe(one);
    expect(fitList({ ...list, budget: one.length - 1 })).toBe('H\n… and 2 more');
  });

  it('lists an item of a category it does not know under that category', () => {
    const report = sampleReport({
      attention: [
        attentionItem(1, { category: 'other' as Attention['category'] }),
        attentionItem(2),
      ],
    });
    expect(renderText(report).text).toContain(
      'Failed (1)\n- infra-scaler start i-00000000000000002',
    );
    expect(renderText(report).text).toContain(
      'other (1)\n- infra-scaler start i-00000000000000001',
    );
  });

  it('says a backup without an age is none', () => {
    const report = sampleReport({
      coverage: {
        protected: 1,
        missing: [
          missingBackup(1, { newestBackupAt: '2026-11-01T00:00:00Z', source: 'AWS Backup' }),
        ],
        allowedAgeHours: 26,
      },
    });
    expect(renderText(report).text).toContain('111122223333/eu-west-1: no backup\n');
  });

  it('rounds half a cent up, and says the storage saved only of a price that is a number', () => {
    expect(formatUsd(0.005)).toBe('$0.01');
    const storage = (snapshotUsdPerMonth: number) =>
      renderText(sampleReport({ yesterday: sampleYesterday({ snapshotUsdPerMonth }) })).text;
    expect(storage(0)).toContain('150 GiB in the last 24 h (saves $0.00 a month in storage),');
    expect(storage(Number.NaN)).toContain('150 GiB in the last 24 h, 1,200 GiB');
    expect(storage(-1)).toContain('150 GiB in the last 24 h, 1,200 GiB');
  });

  it('gives money whenever some hours had a price or the amount is not zero, never a negative one', () => {
    const saved = (window: Partial<ReturnType<typeof sampleYesterday>>) =>
      renderText(sampleReport({ yesterday: sampleYesterday(window) })).text.split('\n')[2];
    expect(saved({ usd: 0, instanceHours: 10, unpricedInstanceHours: 5 })).toBe(
      'Saved, last 24 h: $0.00 (estimate)',
    );
    expect(saved({ usd: 3, instanceHours: 10, unpricedInstanceHours: 10 })).toBe(
      'Saved, last 24 h: $3.00 (estimate)',
    );
    expect(saved({ usd: -1, instanceHours: 10 })).toBe(
      'Saved, last 24 h: hours only: 10 instance-hours',
    );
    // Only resources of an unknown type stopped: no unit to price, so no money at all.
    expect(saved({ usd: 0, resourceHours: 12, instanceHours: 0, unpricedInstanceHours: 0 })).toBe(
      'Saved, last 24 h: hours only: 12 resource-hours',
    );
    // Nothing stopped at all: nothing saved, in money.
    expect(saved({ usd: 0, resourceHours: 0, instanceHours: 0, unpricedInstanceHours: 0 })).toBe(
      'Saved, last 24 h: $0.00 (estimate)',
    );
  });

  it('names the unpriced types even when every hour counted had a price', () => {
    const report = sampleReport({
      yesterday: sampleYesterday({ unpricedInstanceHours: 0 }),
      month: sampleMonth({ unpricedInstanceHours: 0 }),
    });
    expect(renderText(report).text).toContain(
      'Hours only for ec2 t4g.nano in eu-south-2 (prices could not be read).',
    );
  });
});
