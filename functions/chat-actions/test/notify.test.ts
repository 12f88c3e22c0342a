import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SlackMessage, TeamsMessage } from '@nightshift/delivery';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { noteText, renderNote, type SnoozeNote, sendNote } from '../src/notify.ts';
import { TOPIC_ARN } from './fixtures.ts';

const snsMock = mockClient(SNSClient);
const sns = new SNSClient({ region: 'eu-west-1' });

const note: SnoozeNote = {
  environment: 'staging',
  schedule: 'office-hours',
  until: '2026-03-02T19:00:00.000Z',
  kept: ['instance:i-0abc', 'group:web'],
  leftAlone: [{ name: 'instance:i-0def', reason: 'not on schedule office-hours' }],
  sourceIp: '198.51.100.7',
  userAgent: '<script>*bold*</script>',
};

const config = loadConfig({
  SNS_TOPIC_ARN: TOPIC_ARN,
  DESTINATIONS: JSON.stringify({
    ops: {
      kind: 'slack',
      url: ['https://hooks.slack.com', 'services', 'T0', 'B0', 'ops'].join('/'),
    },
    web: { kind: 'teams', parameter: '/nightshift/teams-web' },
  }),
  ROUTES: JSON.stringify([{ pipeline: 'office-*', destinations: ['web'] }]),
});

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('noteText', () => {
  it('says who kept what running until when, and what was left alone', () => {
    // Act & Assess
    expect(noteText(note)).toBe(
      [
        'Kept running until 2026-03-02 19:00 UTC on schedule office-hours (staging): 2 resources, by 198.51.100.7 (<script>*bold*</script>)',
        '  kept: instance:i-0abc',
        '  kept: group:web',
        '  left alone: instance:i-0def (not on schedule office-hours)',
      ].join('\n'),
    );
  });

  it('cuts a long user agent and names an unknown caller', () => {
    // Act
    const text = noteText({
      ...note,
      kept: ['group:web'],
      sourceIp: '',
      userAgent: 'x'.repeat(1000),
    });

    // Assess
    expect(text).toContain(`1 resource, by an unknown address (${'x'.repeat(256)})`);
    expect(text).not.toContain('x'.repeat(257));
  });
});

describe('renderNote', () => {
  it('is typed as the Slack or the Teams message of the delivery package', () => {
    // Act
    const slack = renderNote({ kind: 'slack' }, note);
    const teams = renderNote({ kind: 'teams' }, note);
    const either = renderNote({ kind: note.kept.length > 1 ? 'slack' : 'teams' }, note);

    // Assess
    expectTypeOf(slack).toEqualTypeOf<SlackMessage>();
    expectTypeOf(teams).toEqualTypeOf<TeamsMessage>();
    expectTypeOf(either).toEqualTypeOf<SlackMessage | TeamsMessage>();
    expect(slack.attachments?.[0]?.blocks?.[0]).toMatchObject({ type: 'section' });
    expect(teams.attachments[0]?.content.version).toBe('1.4');
  });

  it('shows the summary, then the resources kept and those left alone with their reasons', () => {
    // Act
    const slack = renderNote({ kind: 'slack' }, note);
    const teams = renderNote({ kind: 'teams' }, note);

    // Assess
    const summary =
      'Kept running until 2026-03-02 19:00 UTC on schedule office-hours (staging): 2 resources, by 198.51.100.7 ';
    expect(slack).toEqual({
      text: `${summary}(&lt;script&gt;*bold*&lt;/script&gt;)`,
      attachments: [
        {
          color: '#8a8a8a',
          blocks: [
            `${summary}(&lt;script&gt;*bold*&lt;/script&gt;)`,
            '*Kept running:*\n• `instance:i-0abc`\n• `group:web`',
            '*Left alone:*\n• `instance:i-0def`: not on schedule office-hours',
          ].map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })),
        },
      ],
    });
    expect(teams.attachments[0]?.content).toMatchObject({
      version: '1.4',
      actions: [],
      body: [
        `${summary}(\\<script\\>\\*bold\\*\\</script\\>)`,
        '**Kept running:**\n- instance:i-0abc\n- group:web',
        '**Left alone:**\n- instance:i-0def: not on schedule office-hours',
      ].map((text) => ({ type: 'TextBlock', text, wrap: true })),
    });
  });

  it('says "1 resource", names an unknown caller, and has no left-alone list when none was', () => {
    // Prepare
    const one: SnoozeNote = {
      ...note,
      kept: ['group:web`1\nb'],
      leftAlone: [],
      sourceIp: '',
      userAgent: '',
    };

    // Act
    const slack = renderNote({ kind: 'slack' }, one);
    const teams = renderNote({ kind: 'teams' }, one);

    // Assess
    const summary =
      'Kept running until 2026-03-02 19:00 UTC on schedule office-hours (staging): 1 resource, by an unknown address (no user agent)';
    expect(slack.attachments?.[0]?.blocks).toEqual(
      [summary, "*Kept running:*\n• `group:web'1 b`"].map((text) => ({
        type: 'section',
        text: { type: 'mrkdwn', text },
      })),
    );
    expect(teams.attachments[0]?.content.body).toEqual(
      [summary, '**Kept running:**\n- group:web\\`1 b'].map((text) => ({
        type: 'TextBlock',
        text,
        wrap: true,
      })),
    );
  });

  it('escapes Slack mrkdwn and writes Teams Markdown literally', () => {
    // Act
    const slack = JSON.stringify(renderNote({ kind: 'slack' }, note));
    const teams = JSON.stringify(renderNote({ kind: 'teams' }, note));

    // Assess
    expect(slack).toContain('&lt;script&gt;');
    expect(slack).not.toContain('<script>');
    expect(teams).toContain('\\\\<script\\\\>\\\\*bold\\\\*');
  });
});

describe('sendNote', () => {
  it('publishes to the reports topic and posts to the destinations the schedule routes to', async () => {
    // Prepare
    const post = vi.fn(async () => undefined);

    // Act
    const result = await sendNote({ sns, post }, config, note);

    // Assess
    expect(result).toEqual({ sent: ['reports topic', 'web'], failed: [] });
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input).toMatchObject({
      TopicArn: TOPIC_ARN,
      Subject: 'Nightshift: office-hours kept running until 2026-03-02 19:00 UTC',
    });
    expect(post).toHaveBeenCalledWith(expect.objectContaining({ name: 'web' }), expect.anything());
  });

  it('names each send that failed and still makes the others', async () => {
    // Prepare
    snsMock.on(PublishCommand).rejects(new Error('AuthorizationError'));
    const post = vi.fn(async () => undefined);

    // Act
    const result = await sendNote({ sns, post }, config, note);

    // Assess
    expect(result).toEqual({
      sent: ['web'],
      failed: [{ destination: 'reports topic', reason: 'AuthorizationError' }],
    });
  });

  it('publishes nothing without a reports topic', async () => {
    // Prepare
    const post = vi.fn(async () => undefined);

    // Act
    const result = await sendNote({ sns, post }, { ...config, snsTopicArn: undefined }, note);

    // Assess
    expect(result.sent).toEqual(['web']);
    expect(snsMock.calls()).toHaveLength(0);
  });
});
