import type { IFactSet, ITextBlock } from '@microsoft/teams.cards';
import {
  type SlackMessage,
  slackLimitIssues,
  type TeamsMessage,
  teamsLimitIssues,
} from '@nightshift/delivery/chat';
import { describe, expect, it } from 'vitest';
import type { Attention } from '../src/model.ts';
import { fitList } from '../src/render/common.ts';
import {
  ESTIMATE,
  formatAge,
  formatAmount,
  formatUsd,
  isQuiet,
  renderSlack,
  renderTeams,
  renderText,
} from '../src/render.ts';
import {
  attentionItem,
  DASHBOARD_URL,
  emptyWindow,
  missingBackup,
  quietReport,
  sampleMonth,
  sampleReport,
  sampleYesterday,
} from './fixtures/report.ts';

/** Every text of a Slack message, in order (header, sections, fields, context, buttons). */
const slackTexts = (message: SlackMessage): string[] =>
  (message.blocks ?? []).flatMap((block) => {
    const texts: string[] = [];
    if ('text' in block && block.text && typeof block.text === 'object')
      texts.push(block.text.text);
    if ('fields' in block && block.fields) texts.push(...block.fields.map((field) => field.text));
    if ('elements' in block)
      for (const element of block.elements as { text?: string | { text: string } }[]) {
        if (typeof element.text === 'string') texts.push(element.text);
        else if (element.text) texts.push(element.text.text);
      }
    return texts;
  });

const card = (message: TeamsMessage) => {
  const [attachment] = message.attachments;
  if (!attachment) throw new Error('no card');
  return attachment.content;
};

/** Every text of a Teams card's body, in order (text blocks, then facts as `title: value`). */
const teamsTexts = (message: TeamsMessage): string[] =>
  (card(message).body ?? []).flatMap((element) => {
    if (element.type === 'TextBlock') return [(element as ITextBlock).text];
    if (element.type === 'FactSet')
      return (element as IFactSet).facts.map(({ title, value }) => `${title}: ${value}`);
    return [];
  });

const slackText = (message: SlackMessage) => slackTexts(message).join('\n');
const teamsText = (message: TeamsMessage) => teamsTexts(message).join('\n');

/** The three renderings of a report as their whole texts, with their names. */
const renderings = (report: ReturnType<typeof sampleReport>): [string, string][] => [
  ['text', renderText(report).text],
  ['slack', slackText(renderSlack(report))],
  ['teams', teamsText(renderTeams(report))],
];

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

describe('renderSlack', () => {
  const sample = () => {
    const message = renderSlack(sampleReport());
    return { message, blocks: message.blocks ?? [] };
  };

  it('is within every limit of Slack', () => {
    const { message } = sample();
    expect(slackLimitIssues(message)).toEqual([]);
  });

  it('has a one-line notification text with the money and what needs doing', () => {
    const { message } = sample();
    expect(message.text).toBe(
      'Nightshift staging: saved $12.35 in the last 24 h, $1,234.50 this month (estimate); 2 backups missing; 4 need a person',
    );
  });

  it('starts with a header and the summary as fields, then the estimate and the unpriced types', () => {
    const { blocks } = sample();
    expect(blocks.map((block) => block.type)).toEqual([
      'header',
      'section',
      'context',
      'divider',
      'section',
      'divider',
      'section',
      'section',
      'section',
      'section',
      'section',
      'context',
      'context',
      'actions',
    ]);
    expect(blocks[0]).toMatchObject({
      text: { type: 'plain_text', text: 'Nightshift morning report: staging, Mon, 30 Nov 2026' },
    });
    expect(blocks[1]).toMatchObject({
      fields: [
        { type: 'mrkdwn', text: '*Saved, last 24 h*\n$12.35 (estimate)' },
        { type: 'mrkdwn', text: '*Saved this month*\n$1,234.50 (estimate)' },
        {
          type: 'mrkdwn',
          text: '*Instance-hours stopped*\n42 in the last 24 h, 840 this month; 5 resources stopped now',
        },
        {
          type: 'mrkdwn',
          text: '*Snapshots deleted*\n150 GiB in the last 24 h (saves $7.50 a month in storage), 1,200 GiB this month (saves $60.00 a month in storage)',
        },
        { type: 'mrkdwn', text: '*Backups missing*\n2 of 12 protected resources' },
        { type: 'mrkdwn', text: '*Needs a person*\n4' },
      ],
    });
    expect(slackTexts({ text: '', blocks: [blocks[2] as never] })).toEqual([
      'Money is an estimate: on-demand list prices, no discounts. Hours only for ec2 t4g.nano in eu-south-2 (prices could not be read).',
    ]);
  });

  it('lists the missing backups and what needs a person, ids as code', () => {
    const { message } = sample();
    const texts = slackTexts(message);
    expect(texts).toContain(
      '*Missing backups (2)*: none newer than 26 h\n• RDS instance orders (`orders-db`), 111122223333/eu-west-1: no backup\n• EC2 instance web-1 (`i-0web`), 111122223333/eu-west-1: last backup 2 days old (EBS snapshots)',
    );
    expect(texts).toContain('*Needs a person (4)*');
    expect(texts).toContain(
      '*Idle (1)*\n• infra-scaler flag idle `i-0idle`, 111122223333/eu-west-1: CPU under 2% for 7 days',
    );
  });

  it('ends with the notes, the runs read and a button to the dashboard', () => {
    const { blocks } = sample();
    expect(blocks.at(-1)).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open the dashboard' },
          url: DASHBOARD_URL,
        },
      ],
    });
    expect(slackTexts({ text: '', blocks: blocks.slice(-3, -1) })).toEqual([
      '*Notes*\n• AWS Backup could not be read (AccessDeniedException): its recovery points are not counted.',
      'From 42 runs in the history, 1 with failures.',
    ]);
  });

  it("escapes Slack's markup in names and reasons, and masks credentials", () => {
    const report = sampleReport({
      attention: [
        attentionItem(1, {
          id: 'i-`x`',
          reason: 'connect <db> & retry failed: password=hunter2',
        }),
      ],
    });
    const text = slackText(renderSlack(report));
    expect(text).toContain(
      "`i-'x'`, 111122223333/eu-west-1: connect &lt;db&gt; &amp; retry failed: password=[REDACTED]",
    );
    expect(text).not.toContain('hunter2');
  });
});

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
});

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

  it('names at most ten types in Slack and counts the rest', () => {
    const unpriced = Array.from({ length: 12 }, (_, index) => `ec2 t${index}.nano in eu-west-1`);
    const text = slackText(renderSlack(sampleReport({ unpriced })));
    expect(text).toContain('ec2 t9.nano in eu-west-1 and 2 more (prices could not be read).');
    expect(text).not.toContain('t10.nano');
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

  it('says "needs" of one item that needs a person', () => {
    const report = sampleReport({ attention: [attentionItem(1)] });
    expect(renderSlack(report).text).toMatch(/; 1 needs a person$/);
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

  it('lists at most 25 items in Slack even when more would fit, and 10 notes', () => {
    const report = sampleReport({
      coverage: {
        protected: 40,
        missing: Array.from({ length: 30 }, (_, index) => missingBackup(index)),
        allowedAgeHours: 26,
      },
      notes: Array.from({ length: 12 }, (_, index) => `note ${index}`),
    });
    const texts = slackTexts(renderSlack(report));
    const missing = texts.find((text) => text.startsWith('*Missing backups (30)*')) ?? '';
    expect(missing.split('\n').filter((line) => line.startsWith('• '))).toHaveLength(25);
    expect(missing.endsWith('… and 5 more (see the dashboard)')).toBe(true);
    const notes = texts.find((text) => text.startsWith('*Notes*')) ?? '';
    expect(notes.split('\n').filter((line) => line.startsWith('• '))).toHaveLength(10);
    expect(notes.endsWith('… and 2 more (see the dashboard)')).toBe(true);
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
