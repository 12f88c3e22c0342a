import { TEAMS_MAX_BYTES } from '@nightshift/delivery';
import { SECRET_SAMPLES } from '@nightshift/testing';
import { describe, expect, it } from 'vitest';
import actionFailed from '../events/action-failed.json' with { type: 'json' };
import pipelineFailed from '../events/pipeline-failed.json' with { type: 'json' };
import { PipelineEventSchema } from '../src/event.ts';
import { type DeploymentMessage, messageFromEvent } from '../src/message.ts';
import { renderSlack, renderTeams } from '../src/render.ts';
import { limitIssues } from './fixtures.ts';

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
  expect(limitIssues('slack', rendered)).toEqual([]);
  const blocks = rendered.attachments?.[0]?.blocks as SlackBlock[];
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
const teamsCard = (message: DeploymentMessage) => {
  const rendered = renderTeams(message);
  expect(limitIssues('teams', rendered)).toEqual([]);
  return rendered.attachments[0]?.content as unknown as Card;
};

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
    const colour = (state: string) => renderSlack(withState(state)).attachments?.[0]?.color;
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

/** A message whose every text is as long and as costly to send as it can be. */
const hugeMessage = (): DeploymentMessage => {
  // Quotes, backslashes and characters of three bytes grow in JSON; control characters
  // would take six bytes each.
  const costly = (length: number) => '"\\中\u0001&<'.repeat(Math.ceil(length / 6)).slice(0, length);
  return {
    ...withState('FAILED'),
    title: costly(10_000),
    pipeline: costly(10_000),
    state: costly(10_000),
    executionId: costly(10_000),
    stage: costly(10_000),
    action: costly(10_000),
    trigger: costly(100_000),
    source: {
      revision: costly(10_000),
      summary: costly(100_000),
      url: `https://github.com/acme/app/commit/${'a'.repeat(1_900)}`,
    },
    failure: {
      stage: costly(10_000),
      action: costly(10_000),
      message: costly(1_000_000),
      url: `https://eu-west-1.console.aws.amazon.com/codebuild/${'b'.repeat(1_900)}`,
    },
  };
};

describe('Message limits', () => {
  it('keeps a Teams body under its 28 KB limit, however long the texts', () => {
    // Act
    const rendered = renderTeams(hugeMessage());
    const body = JSON.stringify(rendered);

    // Assess
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    expect(TEAMS_MAX_BYTES).toBeLessThan(28 * 1024);
    expect(limitIssues('teams', rendered)).toEqual([]);
    expect(body).not.toContain('\\u0001');
    const card = JSON.parse(body).attachments[0].content as Card;
    expect(card.body.map((block) => block.type)).toEqual([
      'TextBlock',
      'FactSet',
      'TextBlock',
      'TextBlock',
      'TextBlock',
    ]);
    expect(card.actions).toHaveLength(3);
  });

  it('keeps the texts of an ordinary failure whole in Teams', () => {
    // Prepare
    const message = { ...withState('FAILED'), failure: { message: 'x'.repeat(2_400) } };

    // Act & Assess
    expect(teamsCard(message).body.map((block) => block.text)).toContain('x'.repeat(2_400));
  });

  it('cuts Slack texts to the lengths Block Kit takes', () => {
    // Act
    const { rendered, byType } = slackParts(hugeMessage());

    // Assess
    expect(rendered.text.length).toBeLessThanOrEqual(150);
    expect(byType('header')[0]?.text?.text.length).toBeLessThanOrEqual(150);
    for (const field of byType('section')[0]?.fields ?? [])
      expect(field.text.length).toBeLessThanOrEqual(2_000);
    expect(byType('section')[1]?.text?.text.length).toBeLessThanOrEqual(3_000);
    expect(JSON.stringify(rendered)).not.toContain('\\u0001');
  });
});

describe('Links and secrets in messages', () => {
  it('leaves out the buttons when no link is left, as for a pipeline name too long for one', () => {
    // Prepare: CodePipeline allows 100 characters, the event schema any length.
    const pipeline = 'p'.repeat(2_000);
    const message = {
      ...withState('SUCCEEDED'),
      pipeline,
      executionUrl: `https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/${pipeline}/executions/e1/timeline`,
    };

    // Act
    const { byType } = slackParts(message);

    // Assess
    expect(byType('actions')).toEqual([]);
    expect(teamsCard(message).actions).toEqual([]);
  });

  it.each([
    'javascript:alert(1)',
    'http://eu-west-1.console.aws.amazon.com/codebuild/x',
    'data:text/html,hi',
    'not a link',
    `https://example.com/${'a'.repeat(2_000)}`,
    '',
    undefined,
  ])('leaves out a link that is not a short https URL: %j', (url) => {
    // Prepare
    const message = {
      ...withState('FAILED'),
      failure: { stage: 'Build', action: 'Test', ...(url === undefined ? {} : { url }) },
      source: { revision: 'abc', ...(url === undefined ? {} : { url }) },
    };

    // Act
    const slackLinks = slackParts(message)
      .byType('actions')[0]
      ?.elements?.map((e) => e.url);
    const teamsLinks = teamsCard(message).actions.map((action) => action.url);

    // Assess
    expect(slackLinks).toEqual([message.executionUrl]);
    expect(teamsLinks).toEqual([message.executionUrl]);
  });

  it.each(SECRET_SAMPLES.map((sample) => [sample.kind, sample]))(
    'masks a %s in the failure text and the fields',
    (_kind, { text, secret }) => {
      // Prepare
      const message = {
        ...withState('FAILED'),
        trigger: text,
        failure: { stage: 'Build', action: 'Test', message: text },
      };

      // Act
      const slack = slackParts(message).blocks.flatMap((block) => [
        block.text?.text ?? '',
        ...(block.fields ?? []).map((field) => field.text),
      ]);
      const teams = teamsCard(message).body.flatMap((block) => [
        block.text ?? '',
        ...(block.facts ?? []).map((fact) => fact.value),
      ]);

      // Assess
      for (const part of [...slack, ...teams]) expect(part).not.toContain(secret);
      expect(slack.join('\n')).toContain('[REDACTED]');
      expect(teams.join('\n')).toContain('[REDACTED]');
    },
  );
});
