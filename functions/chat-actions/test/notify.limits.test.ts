import {
  type SlackMessage,
  slackLimitIssues,
  TEAMS_MAX_BYTES,
  type TeamsMessage,
  teamsLimitIssues,
} from '@nightshift/delivery/chat';
import { MAX_RESOURCE_ID_LENGTH, MAX_RESOURCES } from '@nightshift/links';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderNote, type SnoozeNote } from '../src/notify.ts';

/** Characters that Slack's or Teams' escaping (and JSON) makes longer. */
const GROWS = '&<>\\*_`[]|"中';

/** `text` repeated to exactly `length` characters. */
const repeat = (text: string, length: number) =>
  text.repeat(Math.ceil(length / text.length)).slice(0, length);

/** A name of `length` characters that starts with a marker of its list and its place in it. */
const marked = (marker: string, index: number, rest: string, length = MAX_RESOURCE_ID_LENGTH) =>
  `${marker}${index}${marker}${rest}`.slice(0, length);

const KEPT = '☃';
const LEFT = '☂';

/**
 * More than any note a link can make (a link names at most 50 resources): 50 kept and 50
 * left alone, every name as long as a link takes and every text full of characters that
 * escaping lengthens.
 */
const worstNote: SnoozeNote = {
  environment: repeat(GROWS, 128),
  schedule: repeat('_+=@.:/-', 128),
  until: '2026-03-02T19:00:00.000Z',
  kept: Array.from({ length: MAX_RESOURCES }, (_, index) =>
    marked(KEPT, index, repeat(GROWS, MAX_RESOURCE_ID_LENGTH)),
  ),
  leftAlone: Array.from({ length: MAX_RESOURCES }, (_, index) => ({
    name: marked(LEFT, index, repeat(GROWS, MAX_RESOURCE_ID_LENGTH)),
    reason: `not on schedule ${repeat(GROWS, 1_000)}`,
  })),
  sourceIp: repeat(GROWS, 100),
  userAgent: repeat(GROWS, 256),
};

/** Every text a message shows, one string a block. */
const slackTexts = (message: SlackMessage): string[] =>
  [
    ...(message.blocks ?? []),
    ...(message.attachments ?? []).flatMap((attachment) => attachment.blocks ?? []),
  ].map((block) => (block as { text?: { text?: string } }).text?.text ?? '');
const teamsTexts = (message: TeamsMessage): string[] =>
  message.attachments.flatMap(({ content }) =>
    (content.body ?? []).map((element) =>
      element.type === 'TextBlock' ? (element as { text: string }).text : '',
    ),
  );

/** How many names of a list a text shows (distinct markers), and how many it says it left out. */
const shownAndLeftOut = (texts: readonly string[], marker: string, list: string) => {
  const all = texts.join('\n');
  const shown = new Set(all.match(new RegExp(`${marker}\\d+${marker}`, 'g')) ?? []).size;
  const leftOut = Number(all.match(new RegExp(`and (\\d+) more ${list}`))?.[1] ?? 0);
  return { shown, leftOut };
};

const renderings = (note: SnoozeNote) => {
  const slack = renderNote({ kind: 'slack' }, note);
  const teams = renderNote({ kind: 'teams' }, note);
  const teamsBytes = Buffer.byteLength(JSON.stringify(teams));
  return [
    { kind: 'slack', issues: slackLimitIssues(slack), texts: slackTexts(slack) },
    {
      kind: 'teams',
      // Under the 24 KB fitTeams aims at, not only the 28 KB Teams takes.
      issues: [
        ...teamsLimitIssues(teams),
        ...(teamsBytes > TEAMS_MAX_BYTES ? [`${teamsBytes} bytes, over ${TEAMS_MAX_BYTES}`] : []),
      ],
      texts: teamsTexts(teams),
    },
  ];
};

describe('renderNote within the vendors’ limits', () => {
  it('keeps the largest note, every text full of characters escaping lengthens, within Slack’s and Teams’ limits', () => {
    // Act & Assess
    for (const { kind, issues } of renderings(worstNote))
      expect({ kind, issues }).toEqual({ kind, issues: [] });
  });

  it('says how many kept and left-alone resources a cut list leaves out, and shows the others', () => {
    // Act & Assess
    for (const { kind, texts } of renderings(worstNote)) {
      const kept = shownAndLeftOut(texts, KEPT, 'kept running');
      const left = shownAndLeftOut(texts, LEFT, 'left alone');
      expect({ kind, total: kept.shown + kept.leftOut }).toEqual({ kind, total: MAX_RESOURCES });
      expect({ kind, total: left.shown + left.leftOut }).toEqual({ kind, total: MAX_RESOURCES });
      expect(kept.shown).toBeGreaterThan(0);
      expect(kept.leftOut).toBeGreaterThan(0);
      expect(left.leftOut).toBeGreaterThan(0);
    }
  });

  it('lists every resource of a note that fits, and says nothing is left out', () => {
    // Prepare
    const note: SnoozeNote = {
      ...worstNote,
      kept: [marked(KEPT, 0, 'i-0abc'), marked(KEPT, 1, 'web')],
      leftAlone: [{ name: marked(LEFT, 0, 'i-0def'), reason: 'not found' }],
    };

    // Act & Assess
    for (const { kind, texts } of renderings(note)) {
      expect({ kind, kept: shownAndLeftOut(texts, KEPT, 'kept running') }).toEqual({
        kind,
        kept: { shown: 2, leftOut: 0 },
      });
      expect({ kind, left: shownAndLeftOut(texts, LEFT, 'left alone') }).toEqual({
        kind,
        left: { shown: 1, leftOut: 0 },
      });
      expect(texts.join('\n')).not.toMatch(/ more /);
    }
  });

  it('cuts the Teams lists shorter while the card is over 24 KB, and still names some', () => {
    // Prepare: texts of the characters that take the most bytes of JSON (a CJK character
    // 3, an unpaired surrogate 6).
    const heavy = '中\udc00';
    const note: SnoozeNote = {
      ...worstNote,
      kept: Array.from({ length: MAX_RESOURCES }, (_, index) =>
        marked(KEPT, index, repeat(heavy, MAX_RESOURCE_ID_LENGTH)),
      ),
      leftAlone: Array.from({ length: MAX_RESOURCES }, (_, index) => ({
        name: marked(LEFT, index, repeat(heavy, MAX_RESOURCE_ID_LENGTH)),
        reason: repeat(heavy, 1_000),
      })),
      userAgent: repeat(heavy, 1_000),
    };

    // Act
    const [, teams] = renderings(note);

    // Assess
    expect(teams?.issues).toEqual([]);
    const kept = shownAndLeftOut(teams?.texts ?? [], KEPT, 'kept running');
    const left = shownAndLeftOut(teams?.texts ?? [], LEFT, 'left alone');
    expect(kept.shown).toBeGreaterThan(0);
    expect(left.shown).toBeGreaterThan(0);
    expect(kept.shown + kept.leftOut).toBe(MAX_RESOURCES);
    expect(left.shown + left.leftOut).toBe(MAX_RESOURCES);
  });

  it('lists all of the largest note whose names need no escaping', () => {
    // Prepare: 50 names of 255 characters, as long as AWS names get.
    const note: SnoozeNote = {
      ...worstNote,
      kept: Array.from({ length: MAX_RESOURCES }, (_, index) =>
        marked(KEPT, index, repeat('web-', MAX_RESOURCE_ID_LENGTH)),
      ),
      leftAlone: [],
    };

    // Act & Assess
    for (const { kind, issues, texts } of renderings(note)) {
      expect({ kind, issues }).toEqual({ kind, issues: [] });
      expect({ kind, kept: shownAndLeftOut(texts, KEPT, 'kept running') }).toEqual({
        kind,
        kept: { shown: MAX_RESOURCES, leftOut: 0 },
      });
    }
  });

  it('fills each Slack section up to 3,000 characters exactly, and goes on in the next', () => {
    // Prepare: "*Kept running:*" and 15 lines "\n• `<194 characters>`" make 3,000 characters;
    // one character more moves the last line to a section of its own.
    const names = (count: number, last = 194) =>
      Array.from({ length: count }, (_, index) =>
        marked(KEPT, index, 'x'.repeat(200), index === count - 1 ? last : 194),
      );
    const sections = (kept: string[]) =>
      (
        renderNote({ kind: 'slack' }, { ...worstNote, kept, leftAlone: [] }).attachments?.[0]
          ?.blocks ?? []
      )
        .slice(1)
        .map((block) => (block as { text?: { text?: string } }).text?.text?.length);

    // Act & Assess
    expect(sections(names(15))).toEqual([3_000]);
    expect(sections(names(15, 195))).toEqual([2_801, 199]);
  });

  it('keeps any note within the limits, and accounts for every resource, shown or counted', () => {
    // A text of any characters, or a long run of characters that escaping lengthens;
    // never one with a list marker in it.
    const text = (max: number) =>
      fc
        .oneof(
          fc.string({ unit: 'grapheme', maxLength: 80 }),
          fc.string({ maxLength: max, size: 'max' }),
          {
            weight: 3,
            arbitrary: fc
              .tuple(fc.constantFrom(...GROWS, '\n', '🚀', 'x'), fc.nat(max))
              .map(([unit, length]) => repeat(unit, length)),
          },
        )
        .map((value) => value.replace(/[☃☂]/g, ''));
    const note: fc.Arbitrary<SnoozeNote> = fc
      .record({
        environment: text(300),
        schedule: text(300),
        until: fc.oneof(
          fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
          fc.string().map((value) => value.replace(/[☃☂]/g, '')),
        ),
        kept: fc.array(text(400), { maxLength: 60, size: 'max' }),
        leftAlone: fc.array(fc.record({ name: text(400), reason: text(2_000) }), {
          maxLength: 60,
          size: 'max',
        }),
        sourceIp: text(200),
        userAgent: text(2_000),
      })
      .map((value) => ({
        ...value,
        kept: value.kept.map((name, index) => marked(KEPT, index, name, Number.MAX_SAFE_INTEGER)),
        leftAlone: value.leftAlone.map(({ name, reason }, index) => ({
          name: marked(LEFT, index, name, Number.MAX_SAFE_INTEGER),
          reason,
        })),
      }));

    fc.assert(
      fc.property(note, (value) => {
        for (const { kind, issues, texts } of renderings(value)) {
          expect({ kind, issues }).toEqual({ kind, issues: [] });
          const kept = shownAndLeftOut(texts, KEPT, 'kept running');
          const left = shownAndLeftOut(texts, LEFT, 'left alone');
          expect({ kind, kept: kept.shown + kept.leftOut }).toEqual({
            kind,
            kept: value.kept.length,
          });
          expect({ kind, left: left.shown + left.leftOut }).toEqual({
            kind,
            left: value.leftAlone.length,
          });
        }
      }),
      { numRuns: 100 },
    );
  });
});
