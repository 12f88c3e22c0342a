import { maskSecrets } from '@nightshift/runtime';

/** How a message looks: its colour in Slack, its style in Teams. */
export type Tone = 'good' | 'bad' | 'warning' | 'neutral';

/** A button that opens a page. */
export interface Link {
  title: string;
  url: string;
}

/** A name and its value, as a message lists them (Slack fields, a Teams fact set). */
export type Fact = readonly [name: string, value: string];

/** Longest link a message carries; a longer one is left out. */
export const MAX_LINK_LENGTH = 2_000;

// Control characters other than tab and line breaks: noise in a chat message, and six
// bytes each once escaped in JSON.
// biome-ignore lint/suspicious/noControlCharactersInRegex: they are what it removes
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * A text cut to `max` characters, its last one an ellipsis when it was longer.
 *
 * @example
 * cut('deployment', 6); // 'deplo…'
 */
export const cut = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/**
 * A text as a message shows it: credentials masked, control characters gone, escaped for
 * its markup, cut to `max` characters.
 *
 * @example
 * cleanText('token=abc123 failed', 100); // 'token=[REDACTED] failed'
 */
export const cleanText = (
  text: string,
  max: number,
  markup: (plain: string) => string = (plain) => plain,
): string => cut(markup(maskSecrets(text.replace(CONTROL, ''))), max);

/**
 * A link as a message carries it: only https (never `javascript:` or plain http), with
 * credentials masked, and not too long; otherwise none.
 *
 * @example
 * safeLink('https://eu-west-1.console.aws.amazon.com/codebuild/...'); // the same link
 * safeLink('javascript:alert(1)'); // undefined
 */
export const safeLink = (url: string | undefined): string | undefined => {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const masked = maskSecrets(parsed.href);
  return parsed.protocol === 'https:' && masked.length <= MAX_LINK_LENGTH ? masked : undefined;
};

/**
 * A list as chat texts: its heading, then as many of its lines as fit, and a last line
 * counting the items it leaves out (`more(rest)`), packed into at most `texts` texts of
 * `budget` characters each (lines joined by line breaks, never split). `total` is how many
 * items the list has, when more than the lines given.
 *
 * @example
 * fitLines({ heading: 'Kept:', lines: ['i-1', 'i-2', 'i-3'], total: 5, more: (n) => `… and ${n} more`, budget: 30 });
 * // ['Kept:\ni-1\ni-2\ni-3\n… and 2 more']
 */
export const fitLines = ({
  heading,
  lines,
  more,
  budget,
  texts = 1,
  total = lines.length,
}: {
  heading: string;
  lines: readonly string[];
  more: (rest: number) => string;
  budget: number;
  texts?: number;
  total?: number;
}): string[] => {
  const textsOf = (shown: number) =>
    packLines(
      [heading, ...lines.slice(0, shown), ...(shown < total ? [more(total - shown)] : [])],
      budget,
    );
  const fits = (packed: readonly string[]) =>
    packed.length <= texts && packed.every((text) => text.length <= budget);
  let shown = 0;
  while (shown < lines.length && fits(textsOf(shown + 1))) shown += 1;
  return textsOf(shown);
};

/** Lines joined by line breaks into texts of at most `budget` characters, a line never split. */
const packLines = (lines: readonly string[], budget: number): string[] => {
  const packed: string[] = [];
  for (const line of lines) {
    const last = packed.at(-1);
    if (last !== undefined && last.length + 1 + line.length <= budget)
      packed[packed.length - 1] = `${last}\n${line}`;
    else packed.push(line);
  }
  return packed;
};
