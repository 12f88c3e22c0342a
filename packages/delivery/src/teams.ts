import type {
  CardElement,
  IAdaptiveCard,
  IFactSet,
  IOpenUrlAction,
  ITextBlock,
  TextColor,
  Version,
} from '@microsoft/teams.cards';
import type { Fact, Link, Tone } from './text.ts';

/** An element of an Adaptive Card's body. */
export type TeamsElement = CardElement;

/** The Adaptive Card version of every card: one that Teams renders (1.5 or lower). */
export const TEAMS_CARD_VERSION = '1.4' satisfies Version;

/**
 * Teams Workflows refuse a message over about 28 KB ("Request Entity too large"); a
 * message is rendered with shorter texts until its body is under this many bytes.
 */
export const TEAMS_MAX_BYTES = 24 * 1024;

/**
 * What a Teams Workflows webhook ("When a Teams webhook request is received") takes: an
 * Adaptive Card in a message envelope.
 */
export interface TeamsMessage {
  type: 'message';
  attachments: {
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: IAdaptiveCard;
  }[];
}

/** The text colour of each tone. */
export const TEAMS_COLOURS: Record<Tone, TextColor> = {
  good: 'Good',
  bad: 'Attention',
  warning: 'Warning',
  neutral: 'Default',
};

/**
 * A text block; `style` sets its look (weight, size, colour, wrap, …).
 *
 * @example
 * teamsText('web: failed', { weight: 'Bolder', wrap: true });
 */
export const teamsText = (
  text: string,
  style: Omit<ITextBlock, 'type' | 'text'> = {},
): ITextBlock => ({
  type: 'TextBlock',
  text,
  ...style,
});

/**
 * A fact set: a name and a value on each line.
 *
 * @example
 * teamsFacts([['Pipeline', 'web'], ['State', 'FAILED']]);
 */
export const teamsFacts = (facts: readonly Fact[]): IFactSet => ({
  type: 'FactSet',
  facts: facts.map(([title, value]) => ({ title, value })),
});

/**
 * A button that opens each link.
 *
 * @example
 * teamsLinks([{ title: 'Open execution', url }]);
 */
export const teamsLinks = (links: readonly Link[]): IOpenUrlAction[] =>
  links.map(({ title, url }) => ({ type: 'Action.OpenUrl', title, url }));

/**
 * A time that Teams shows in each reader's time zone (its DATE and TIME functions take a
 * UTC time without fractions of a second).
 *
 * @example
 * teamsDate('2026-11-28T03:00:00.123Z'); // '{{DATE(2026-11-28T03:00:00Z, SHORT)}} {{TIME(2026-11-28T03:00:00Z)}}'
 */
export const teamsDate = (time: string): string => {
  const utc = time.replace(/\.\d+Z$/, 'Z');
  return `{{DATE(${utc}, SHORT)}} {{TIME(${utc})}}`;
};

/**
 * An Adaptive Card of `body` and `actions`, in the envelope a Workflows webhook takes.
 *
 * @example
 * teamsMessage({ body: [teamsText('web: failed')], actions: teamsLinks(links) });
 */
export const teamsMessage = ({
  body,
  actions,
}: {
  body: CardElement[];
  actions: IOpenUrlAction[];
}): TeamsMessage => ({
  type: 'message',
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive',
      contentUrl: null,
      content: {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: TEAMS_CARD_VERSION,
        body,
        actions,
      },
    },
  ],
});

/**
 * The message rendered with the first of `candidates` (text limits, longest first) whose
 * JSON body is at most `maxBytes`; the last candidate's when none is.
 *
 * @example
 * fitTeams([{ text: 2_500 }, { text: 300 }], (limits) => render(message, limits));
 */
export const fitTeams = <L>(
  candidates: readonly [L, ...L[]],
  render: (limits: L) => TeamsMessage,
  maxBytes = TEAMS_MAX_BYTES,
): TeamsMessage => {
  let message = render(candidates[0]);
  for (const limits of candidates.slice(1)) {
    if (Buffer.byteLength(JSON.stringify(message)) <= maxBytes) break;
    message = render(limits);
  }
  return message;
};
