import { SECRET_SAMPLES } from '@nightshift/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeploymentMessage } from '../src/message.ts';
import { renderSlack, renderTeams } from '../src/render.ts';
import { limitIssues } from './fixtures.ts';

/**
 * Texts as a notification may carry them: ordinary ones, any unicode, control characters,
 * credentials, and some very long ones, of characters that grow in JSON.
 */
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom(...SECRET_SAMPLES.map((sample) => sample.text)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('x', '"\\中\u0001&<', '🚀', '\n*_`>'), fc.nat(300_000))
      .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length)),
  },
);
const link = fc.oneof(
  fc.webUrl({ validSchemes: ['https'], withQueryParameters: true }),
  fc.string(),
  fc.nat(5_000).map((length) => `https://example.com/${'a'.repeat(length)}`),
);
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const without = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;

/** Any message at all, many failed actions with long errors included. */
const deploymentMessage: fc.Arbitrary<DeploymentMessage> = fc
  .record({
    title: text,
    tone: fc.constantFrom('good', 'bad', 'warning', 'neutral' as const),
    pipeline: text,
    state: text,
    executionId: text,
    time: fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((date) => date.toISOString()),
    // The event schema lets nothing else through for these two.
    region: fc.constantFrom('eu-west-1', 'us-east-1', 'ap-southeast-2', 'us-gov-west-1'),
    account: fc.stringMatching(/^\d{12}$/),
    stage: optional(text),
    action: optional(text),
    trigger: optional(text),
    source: optional(
      fc.record({ revision: text, summary: optional(text), url: optional(link) }).map(without),
    ),
    failure: optional(
      fc
        .record({
          stage: optional(text),
          action: optional(text),
          message: optional(text),
          url: optional(link),
          others: optional(
            fc.oneof(
              fc.array(fc.record({ action: text, message: optional(text) }).map(without), {
                maxLength: 20,
              }),
              fc
                .tuple(fc.nat(3_000), text)
                .map(([count, message]) =>
                  Array.from({ length: count }, (_, index) => ({ action: `a${index}`, message })),
                ),
            ),
          ),
        })
        .map(without),
    ),
    executionUrl: link,
  })
  .map(without);

describe('Rendered messages, for any message', () => {
  it('stay within what Slack and Teams take', () => {
    fc.assert(
      fc.property(deploymentMessage, (message) => {
        expect(limitIssues('slack', renderSlack(message))).toEqual([]);
        expect(limitIssues('teams', renderTeams(message))).toEqual([]);
      }),
      { numRuns: 80 },
    );
  });

  it('stay within them with thousands of failed actions, each with a long error', () => {
    // Prepare
    const error = `"\\中\u0001&<${'x'.repeat(100_000)}`;
    const message: DeploymentMessage = {
      title: 'web: failed',
      tone: 'bad',
      pipeline: 'web',
      state: 'FAILED',
      executionId: 'e1',
      time: '2026-11-28T03:00:00Z',
      region: 'eu-west-1',
      account: '123456789012',
      failure: {
        stage: 'Test',
        action: 'Shard0',
        message: error.repeat(10),
        others: Array.from({ length: 5_000 }, (_, index) => ({
          action: `Shard${index + 1}`,
          message: error,
        })),
      },
      executionUrl: 'https://eu-west-1.console.aws.amazon.com/x',
    };

    // Act & Assess
    expect(limitIssues('slack', renderSlack(message))).toEqual([]);
    expect(limitIssues('teams', renderTeams(message))).toEqual([]);
  });
});
