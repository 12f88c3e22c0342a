import { SECRET_SAMPLES } from '@nightshift/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanText, cut, fitLines, MAX_LINK_LENGTH, safeLink } from '../src/text.ts';

describe('Cutting a text', () => {
  it('keeps a text that fits, and ends a cut one with an ellipsis at exactly the limit', () => {
    expect(cut('deploy', 6)).toBe('deploy');
    expect(cut('deployment', 6)).toBe('deplo…');
  });

  it('never returns more than the limit, for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), fc.integer({ min: 1, max: 300 }), (text, max) => {
        const result = cut(text, max);
        expect(result.length).toBeLessThanOrEqual(max);
        expect(
          text.startsWith(result.endsWith('…') && result !== text ? result.slice(0, -1) : result),
        ).toBe(true);
      }),
    );
  });
});

describe('Cleaning a text for a message', () => {
  it('removes control characters other than tab and line breaks', () => {
    expect(cleanText('a\u0001b\tc\nd\re\u007f', 100)).toBe('ab\tc\nd\re');
  });

  it('escapes for the markup before cutting, so that the result stays within the limit', () => {
    const escapeLt = (text: string) => text.replace(/</g, '&lt;');
    expect(cleanText('<<<<', 100, escapeLt)).toBe('&lt;&lt;&lt;&lt;');
    expect(cleanText('<<<<', 6, escapeLt)).toBe('&lt;&…');
  });

  it.each(SECRET_SAMPLES.map((sample) => [sample.kind, sample]))(
    'masks a %s',
    (_kind, { text, secret }) => {
      const cleaned = cleanText(text, 10_000);
      expect(cleaned).not.toContain(secret);
      expect(cleaned).toContain('[REDACTED]');
    },
  );
});

describe('Links in messages', () => {
  it.each([
    'javascript:alert(1)',
    'http://eu-west-1.console.aws.amazon.com/codebuild/x',
    'data:text/html,hi',
    'not a link',
    `https://example.com/${'a'.repeat(MAX_LINK_LENGTH)}`,
    '',
    undefined,
  ])('leaves out a link that is not a short https URL: %j', (url) => {
    expect(safeLink(url)).toBeUndefined();
  });

  it('keeps an https link, masking a credential in it', () => {
    expect(safeLink('https://logs.example.com/build/42?token=abc123&page=2')).toBe(
      'https://logs.example.com/build/42?token=[REDACTED]&page=2',
    );
  });

  it('keeps a link of exactly the longest length', () => {
    const url = `https://example.com/${'a'.repeat(MAX_LINK_LENGTH - 20)}`;
    expect(url).toHaveLength(MAX_LINK_LENGTH);
    expect(safeLink(url)).toBe(url);
  });
});

describe('fitLines', () => {
  const more = (rest: number) => `… and ${rest} more`;

  it('gives the heading and every line in one text when they fit', () => {
    // Act & Assess
    expect(fitLines({ heading: 'Kept:', lines: ['i-1', 'i-2'], more, budget: 100 })).toEqual([
      'Kept:\ni-1\ni-2',
    ]);
  });

  it('shows the lines that fit with the count of the rest, up to the budget exactly', () => {
    // Act
    const texts = fitLines({
      heading: 'Kept:',
      lines: ['i-1', 'i-2', 'i-3'],
      total: 5,
      more,
      budget: 30,
    });

    // Assess
    expect(texts).toEqual(['Kept:\ni-1\ni-2\ni-3\n… and 2 more']);
    expect(texts[0]).toHaveLength(30);
  });

  it('drops a line when the text would be one character over the budget', () => {
    // Act & Assess
    expect(
      fitLines({ heading: 'Kept:', lines: ['i-1', 'i-2', 'i-3'], total: 5, more, budget: 29 }),
    ).toEqual(['Kept:\ni-1\ni-2\n… and 3 more']);
  });

  it('packs the lines into as many texts as it may take, never splitting a line', () => {
    // Prepare
    const lines = ['a'.repeat(8), 'b'.repeat(8), 'c'.repeat(8), 'd'.repeat(8)];

    // Act
    const two = fitLines({ heading: 'List', lines, more, budget: 26, texts: 2 });
    const one = fitLines({ heading: 'List', lines, more, budget: 26 });

    // Assess
    expect(two).toEqual([
      `List\n${'a'.repeat(8)}\n${'b'.repeat(8)}`,
      `${'c'.repeat(8)}\n${'d'.repeat(8)}`,
    ]);
    expect(one).toEqual([`List\n${'a'.repeat(8)}\n… and 3 more`]);
  });

  it('starts a new text when a line break and the line would pass the budget by one', () => {
    // Act & Assess: 'ab\ncd' is 5 characters.
    expect(fitLines({ heading: 'ab', lines: ['cd'], more, budget: 4, texts: 2 })).toEqual([
      'ab',
      'cd',
    ]);
    expect(fitLines({ heading: 'ab', lines: ['cd'], more, budget: 5, texts: 2 })).toEqual([
      'ab\ncd',
    ]);
  });

  it('leaves out a line longer than one text, even when another text is free', () => {
    // Act & Assess
    expect(fitLines({ heading: 'H', lines: ['x'.repeat(50)], more, budget: 20, texts: 2 })).toEqual(
      ['H\n… and 1 more'],
    );
  });

  it('counts every line when the lines given are all of them and none fits', () => {
    // Act & Assess
    expect(fitLines({ heading: 'Kept:', lines: ['x'.repeat(50)], more, budget: 20 })).toEqual([
      'Kept:\n… and 1 more',
    ]);
  });
});
