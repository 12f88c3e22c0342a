import type { ActionsBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import {
  type HeadsUpNotice,
  headsUpChunks,
  headsUpSlack,
  headsUpTeams,
  headsUpText,
  MAX_HEADS_UP_RESOURCES,
  teamsEscape,
} from '../src/headsUp.ts';
import { slackLimitIssues, teamsLimitIssues } from '../src/limits.ts';

const links = [
  { title: 'Keep running 1 h', url: 'https://actions.example.com/?t=one' },
  { title: 'Keep running 3 h', url: 'https://actions.example.com/?t=three' },
  { title: 'Skip tonight', url: 'https://actions.example.com/?t=skip' },
];

const notice = (overrides: Partial<HeadsUpNotice> = {}): HeadsUpNotice => ({
  schedule: 'office-hours',
  timezone: 'Europe/Berlin',
  stopAt: '2026-12-01T18:00:00.000Z',
  localStopAt: '2026-12-01 19:00',
  resources: [
    { kind: 'instance', id: 'i-0a11a11eec53b9321' },
    { kind: 'group', id: 'web' },
  ],
  links,
  ...overrides,
});

const slackButtonsOf = (message: ReturnType<typeof headsUpSlack>) =>
  (message.attachments?.[0]?.blocks ?? []).flatMap((block) =>
    block.type === 'actions'
      ? (block as ActionsBlock).elements.map((element) =>
          element.type === 'button'
            ? { title: element.text.text, url: element.url }
            : { title: element.type, url: undefined },
        )
      : [],
  );

const slackTexts = (message: ReturnType<typeof headsUpSlack>) =>
  JSON.stringify(message.attachments?.[0]?.blocks);

describe('heads-up rendering', () => {
  it('renders Slack Block Kit: header, resources, url buttons in an actions block, the stop in UTC', () => {
    // Act
    const message = headsUpSlack(notice());

    // Assess
    expect(message.text).toBe(
      'Heads-up: office-hours stops 2 resources at 2026-12-01 19:00 (Europe/Berlin)',
    );
    const blocks = message.attachments?.[0]?.blocks ?? [];
    expect(blocks.map((block) => block.type)).toEqual(['header', 'section', 'actions', 'context']);
    expect(blocks[0]).toMatchObject({
      text: { type: 'plain_text', text: 'Heads-up: office-hours stops at 2026-12-01 19:00' },
    });
    expect(blocks[1]).toMatchObject({
      text: {
        type: 'mrkdwn',
        text: '*office-hours* stops these 2 resources at *2026-12-01 19:00* (Europe/Berlin):\n• instance `i-0a11a11eec53b9321`\n• group `web`',
      },
    });
    expect(slackButtonsOf(message)).toEqual(links);
    expect(slackTexts(message)).toContain('2026-12-01T18:00:00.000Z UTC');
    expect(slackLimitIssues(message)).toEqual([]);
  });

  it('renders a Teams Adaptive Card whose links are Action.OpenUrl buttons', () => {
    // Act
    const message = headsUpTeams(notice());

    // Assess
    const card = message.attachments[0]?.content;
    expect(card?.actions).toEqual(
      links.map(({ title, url }) => ({ type: 'Action.OpenUrl', title, url })),
    );
    expect(card?.body?.map((element) => (element as { text: string }).text)).toEqual([
      'Heads-up: office-hours stops at 2026-12-01 19:00',
      '**office-hours** stops these 2 resources at **2026-12-01 19:00** (Europe/Berlin):',
      '- instance i-0a11a11eec53b9321\n- group web',
      expect.stringContaining('Stop due 2026-12-01T18:00:00.000Z UTC.'),
    ]);
    expect(teamsLimitIssues(message)).toEqual([]);
  });

  it('renders plain text for email: a Subject naming the schedule and the local stop time, each link on its own line', () => {
    // Act
    const { Subject, Message } = headsUpText(notice());

    // Assess
    expect(Subject).toBe(
      'Nightshift heads-up: office-hours stops at 2026-12-01 19:00 (Europe/Berlin)',
    );
    expect(Message.split('\n')).toEqual([
      'Heads-up: office-hours stops 2 resources at 2026-12-01 19:00 (Europe/Berlin).',
      'Stop due 2026-12-01T18:00:00.000Z UTC.',
      '',
      '- instance i-0a11a11eec53b9321',
      '- group web',
      '',
      'To keep them running, pick one of the links before the stop; a link only postpones this stop.',
      '',
      'Keep running 1 h:',
      'https://actions.example.com/?t=one',
      '',
      'Keep running 3 h:',
      'https://actions.example.com/?t=three',
      '',
      'Skip tonight:',
      'https://actions.example.com/?t=skip',
    ]);
  });

  it('keeps the SNS Subject on one line and under 100 characters', () => {
    // Act
    const { Subject } = headsUpText(notice({ schedule: 's'.repeat(128) }));

    // Assess
    expect(Subject.length).toBeLessThan(100);
    expect(Subject).toMatch(/^Nightshift heads-up: s+…$/);
  });

  it('escapes names: Slack mrkdwn controls and mentions, Teams markdown, credentials masked', () => {
    // Prepare
    const resources = [
      { kind: 'group', id: '<!channel> & *bold* `tick`' },
      { kind: 'group', id: '[click](https://evil.example) _x_ {{DATE(x)}}' },
      { kind: 'group', id: 'web password=hunter2' },
    ];

    // Act
    const slack = slackTexts(headsUpSlack(notice({ resources })));
    const teams = headsUpTeams(notice({ resources })).attachments[0]?.content.body?.[2] as {
      text: string;
    };
    const text = headsUpText(notice({ resources })).Message;

    // Assess
    expect(slack).toContain("• group `&lt;!channel&gt; &amp; *bold* 'tick'`");
    expect(slack).not.toContain('<!channel>');
    expect(slack).not.toContain('hunter2');
    expect(teams.text.split('\n')).toEqual([
      '- group \\<\\!channel\\> & \\*bold\\* \\`tick\\`',
      '- group \\[click\\]\\(https://evil.example\\) \\_x\\_ \\{\\{DATE\\(x\\)\\}\\}',
      '- group web password=\\[REDACTED\\]',
    ]);
    expect(text).toContain('- group <!channel> & *bold* `tick`');
    expect(text).not.toContain('hunter2');
    expect(teamsEscape('a\\b')).toBe('a\\\\b');
  });

  it('shows the buttons it is given, in order, and no actions block when there are none', () => {
    // Act
    const two = headsUpSlack(notice({ links: links.slice(0, 2) }));
    const none = headsUpSlack(notice({ links: [] }));
    const teamsNone = headsUpTeams(notice({ links: [] }));
    const textNone = headsUpText(notice({ links: [] })).Message;

    // Assess
    expect(slackButtonsOf(two).map(({ title }) => title)).toEqual([
      'Keep running 1 h',
      'Keep running 3 h',
    ]);
    expect(none.attachments?.[0]?.blocks?.map((block) => block.type)).toEqual([
      'header',
      'section',
      'context',
    ]);
    expect(slackLimitIssues(none)).toEqual([]);
    expect(slackTexts(none)).toContain('No snooze link can postpone this stop.');
    expect(teamsNone.attachments[0]?.content.actions).toEqual([]);
    expect(textNone).toContain('No snooze link can postpone this stop.');
    expect(textNone).not.toContain('https://');
  });

  it('splits 120 resources into 3 messages of at most 50, each numbered and within the limits', () => {
    // Prepare
    const resources = Array.from({ length: 120 }, (_, index) => ({
      kind: 'group',
      id: `${'g'.repeat(240)}-${String(index).padStart(3, '0')}`,
    }));
    const longLinks = links.map((link) => ({ ...link, url: `${link.url}${'x'.repeat(1_900)}` }));

    // Act
    const chunks = headsUpChunks(resources);
    const messages = chunks.map((chunk, index) =>
      notice({ resources: chunk, links: longLinks, part: { index: index + 1, count: 3 } }),
    );

    // Assess
    expect(MAX_HEADS_UP_RESOURCES).toBe(50);
    expect(chunks.map((chunk) => chunk.length)).toEqual([50, 50, 20]);
    expect(chunks.flat()).toEqual(resources);
    expect(headsUpSlack(messages[2] as HeadsUpNotice).text).toBe(
      'Heads-up: office-hours stops 20 resources at 2026-12-01 19:00 (Europe/Berlin) (message 3 of 3)',
    );
    for (const message of messages) {
      expect(slackLimitIssues(headsUpSlack(message))).toEqual([]);
      expect(teamsLimitIssues(headsUpTeams(message))).toEqual([]);
    }
    expect(headsUpText(notice({ part: { index: 1, count: 1 } })).Message).not.toContain(
      'message 1',
    );
  });
});
