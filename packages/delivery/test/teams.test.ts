import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TEAMS_LIMITS, teamsLimitIssues } from '../src/limits.ts';
import {
  fitTeams,
  TEAMS_CARD_VERSION,
  TEAMS_COLOURS,
  TEAMS_MAX_BYTES,
  teamsDate,
  teamsFacts,
  teamsLinks,
  teamsMessage,
  teamsText,
} from '../src/teams.ts';

describe('Teams building blocks', () => {
  it('builds an Adaptive Card in the envelope a Workflows webhook takes', () => {
    // Act
    const message = teamsMessage({
      body: [
        teamsText('web: failed', { weight: 'Bolder', wrap: true }),
        teamsFacts([['State', 'FAILED']]),
      ],
      actions: teamsLinks([{ title: 'Open execution', url: 'https://example.com/x' }]),
    });

    // Assess
    expect(message).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: 'web: failed', weight: 'Bolder', wrap: true },
              { type: 'FactSet', facts: [{ title: 'State', value: 'FAILED' }] },
            ],
            actions: [
              { type: 'Action.OpenUrl', title: 'Open execution', url: 'https://example.com/x' },
            ],
          },
        },
      ],
    });
    expect(teamsLimitIssues(message)).toEqual([]);
  });

  it('uses a card version Teams renders', () => {
    expect(TEAMS_LIMITS.versions).toContain(TEAMS_CARD_VERSION);
  });

  it('styles each tone', () => {
    expect(TEAMS_COLOURS).toEqual({
      good: 'Good',
      bad: 'Attention',
      warning: 'Warning',
      neutral: 'Default',
    });
  });

  it('writes a time Teams shows in each reader’s zone, without fractions of a second', () => {
    expect(teamsDate('2026-11-28T03:00:00.123Z')).toBe(
      '{{DATE(2026-11-28T03:00:00Z, SHORT)}} {{TIME(2026-11-28T03:00:00Z)}}',
    );
    expect(teamsDate('2026-11-28T03:00:00Z')).toBe(
      '{{DATE(2026-11-28T03:00:00Z, SHORT)}} {{TIME(2026-11-28T03:00:00Z)}}',
    );
  });
});

describe('Fitting a Teams message', () => {
  const render = (length: number) =>
    teamsMessage({ body: [teamsText('x'.repeat(length))], actions: [] });
  const bytes = (message: unknown) => Buffer.byteLength(JSON.stringify(message));

  it('takes the first candidate whose body fits, and renders no more', () => {
    // Prepare
    const rendered: number[] = [];
    const fits = TEAMS_MAX_BYTES - bytes(render(0));

    // Act
    const message = fitTeams([fits + 1, fits, 10], (length) => {
      rendered.push(length);
      return render(length);
    });

    // Assess
    expect(bytes(message)).toBe(TEAMS_MAX_BYTES);
    expect(rendered).toEqual([fits + 1, fits]);
  });

  it('takes the last candidate when none fits', () => {
    expect(fitTeams([90_000, 80_000], render)).toEqual(render(80_000));
  });

  it('stays under 28 KB for any texts once the last candidate is short', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ maxLength: 300 }),
            fc.nat(100_000).map((n) => 'é'.repeat(n)),
          ),
          {
            maxLength: 30,
          },
        ),
        (texts) => {
          const message = fitTeams([Number.POSITIVE_INFINITY, 100], (max) =>
            teamsMessage({ body: texts.map((text) => teamsText(text.slice(0, max))), actions: [] }),
          );
          expect(teamsLimitIssues(message)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
