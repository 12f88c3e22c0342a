import { describe, expect, it } from 'vitest';
import actionFailed from '../events/action-failed.json' with { type: 'json' };
import pipelineFailed from '../events/pipeline-failed.json' with { type: 'json' };
import { PipelineEventSchema } from '../src/event.ts';
import { type DeploymentMessage, messageFromEvent } from '../src/message.ts';
import { renderSlack, renderTeams } from '../src/render.ts';

const STATES = [
  'STARTED',
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
  'SUPERSEDED',
  'STOPPED',
  'STOPPING',
  'RESUMED',
];
const withState = (state: string) =>
  messageFromEvent(
    PipelineEventSchema.parse({ ...pipelineFailed, detail: { ...pipelineFailed.detail, state } }),
  );

type SlackBlock = {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { text?: unknown; url?: string }[];
};
const slackParts = (message: DeploymentMessage) => {
  const rendered = renderSlack(message);
  const blocks = rendered.attachments[0]?.blocks as SlackBlock[];
  return {
    rendered,
    blocks,
    byType: (type: string) => blocks.filter((block) => block.type === type),
  };
};
type Card = {
  body: {
    type: string;
    text?: string;
    color?: string;
    facts?: { title: string; value: string }[];
  }[];
  actions: { url: string }[];
};
const teamsCard = (message: DeploymentMessage) =>
  renderTeams(message).attachments[0]?.content as unknown as Card;

describe('Slack rendering', () => {
  it.each(STATES)(
    'renders %s with a header, the fields, the time and a button to the execution',
    (state) => {
      // Act
      const { rendered, byType } = slackParts(withState(state));

      // Assess
      expect(rendered.text).toBe(`payments-api: ${state.toLowerCase()}`);
      expect(byType('header')[0]?.text?.text).toBe(`payments-api: ${state.toLowerCase()}`);
      const fields = byType('section')[0]?.fields?.map((field) => field.text) ?? [];
      expect(fields).toEqual([
        '*Pipeline*\npayments-api',
        `*State*\n${state}`,
        '*Execution*\na1b2c3d4-5678-90ab-cdef-111122223333',
        '*Trigger*\nWebhook: arn:aws:codeconnections:eu-west-1:123456789012:connection/abc',
      ]);
      expect(JSON.stringify(byType('context'))).toContain(
        '<!date^1795832047^{date_short_pretty} {time_secs}|2026-11-28T02:14:07Z>',
      );
      expect(byType('actions')[0]?.elements?.[0]?.url).toBe(
        'https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/payments-api/executions/a1b2c3d4-5678-90ab-cdef-111122223333/timeline?region=eu-west-1',
      );
    },
  );

  it('colours by state', () => {
    const colour = (state: string) => renderSlack(withState(state)).attachments[0]?.color;
    expect([colour('SUCCEEDED'), colour('FAILED'), colour('CANCELED'), colour('STARTED')]).toEqual([
      '#2eb886',
      '#d72b3f',
      '#daa038',
      '#8a8a8a',
    ]);
  });

  it('says why an action failed, with a button to its log', () => {
    // Act
    const { byType } = slackParts(messageFromEvent(PipelineEventSchema.parse(actionFailed)));

    // Assess
    expect(byType('section')[1]?.text?.text).toBe(
      '*Failed:* Build / UnitTests\n```Build terminated with state: FAILED```',
    );
    expect(byType('actions')[0]?.elements?.map((element) => element.url)).toContain(
      actionFailed.detail['execution-result']['external-execution-url'],
    );
  });

  it('escapes Slack markup in values', () => {
    // Prepare
    const message = {
      ...withState('FAILED'),
      failure: { stage: 'Build', action: 'Test', message: '<!channel> & <b>' },
    };

    // Act & Assess
    expect(slackParts(message).byType('section')[1]?.text?.text).toContain(
      '&lt;!channel&gt; &amp; &lt;b&gt;',
    );
  });
});

describe('Teams rendering', () => {
  it.each(STATES)('renders %s as an Adaptive Card for a Workflows webhook', (state) => {
    // Act
    const rendered = renderTeams(withState(state));
    const card = teamsCard(withState(state));

    // Assess
    expect(rendered).toMatchObject({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: { type: 'AdaptiveCard', version: '1.4' },
        },
      ],
    });
    expect(card.body[0]).toMatchObject({
      type: 'TextBlock',
      text: `payments-api: ${state.toLowerCase()}`,
    });
    expect(card.body[1]?.facts).toEqual([
      { title: 'Pipeline', value: 'payments-api' },
      { title: 'State', value: state },
      { title: 'Execution', value: 'a1b2c3d4-5678-90ab-cdef-111122223333' },
      {
        title: 'Trigger',
        value: 'Webhook: arn:aws:codeconnections:eu-west-1:123456789012:connection/abc',
      },
    ]);
    expect(card.body.at(-1)?.text).toContain('{{DATE(2026-11-28T02:14:07Z, SHORT)}}');
    expect(card.actions[0]?.url).toContain('/executions/a1b2c3d4-5678-90ab-cdef-111122223333/');
  });

  it('colours by state and shows the failure', () => {
    // Act
    const card = teamsCard({
      ...withState('FAILED'),
      failure: { stage: 'Deploy', action: 'CFN', message: 'Stack rolled back' },
    });

    // Assess
    expect(card.body[0]?.color).toBe('Attention');
    expect(card.body.map((block) => block.text)).toEqual(
      expect.arrayContaining(['Failed: Deploy / CFN', 'Stack rolled back']),
    );
    expect(teamsCard(withState('SUCCEEDED')).body[0]?.color).toBe('Good');
  });
});
