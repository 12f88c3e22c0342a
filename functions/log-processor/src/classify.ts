/**
 * How much of a line is classified: its first 8,192 characters (8 KB of ASCII). Log lines
 * are short; a longer one is classified from its start, so that one huge line costs no more
 * than a normal one, whatever the patterns (the configured ones too).
 */
export const MAX_CLASSIFIED_LENGTH = 8 * 1024;

/** An HTTP status code in the places one appears: `HTTP/1.1" 503`, `HTTP 503`, `status=502`, `"statusCode": 500`. */
const status = (codes: string) =>
  String.raw`(?:\bHTTP(?:/[\d.]+)?"?\s+|\bstatus(?:[_ ]?code)?["']?\s*[=:]\s*)(?:${codes})\b`;

/**
 * The default patterns: what the original snippet looked for, with HTTP codes only where
 * they are status codes. Each runs in time linear in the line: no look-behind over a run
 * of any length, and no group repeated by `*`, `+` or `{n,}` that holds a quantifier.
 */
export const DEFAULT_CRITICAL_PATTERNS: readonly string[] = [
  String.raw`\b(?:database|db) connection (?:failed|refused|lost|error)`,
  String.raw`\bcould not connect to (?:the )?(?:database|db)\b`,
  String.raw`\bout of memory\b|\bOutOfMemoryError\b|\bOOM(?:Killed)?\b|\bcannot allocate memory\b|\bheap out of memory\b`,
  String.raw`\bdisk full\b|\bno space left on device\b|\bENOSPC\b|\bdisk quota exceeded\b`,
  String.raw`\bsecurity (?:violation|breach)\b`,
  status('50[0-5]'),
  String.raw`(?<!non-)\bfatal\b|\bpanic:`,
];

export const DEFAULT_ERROR_PATTERNS: readonly string[] = [
  String.raw`\berror\b|\bERR\b`,
  String.raw`\bfail(?:ed|ure|s)?\b`,
  // A word ending in "exception", or a word of letters that starts with a capital and ends
  // in "Error" (TypeError), matched from the start of the word: each word is read once.
  String.raw`exception\b|\bTraceback \(most recent call last\)|(?-i:\b[A-Z][A-Za-z]*Error\b)`,
  status('5[0-9]{2}'),
  String.raw`\btimed out\b|\btime-?out (?:error|exceeded|expired|occurred)\b|\b(?:read|connect|connection|request|gateway|socket|query) timeout\b|\bTimeoutError\b|\bETIMEDOUT\b`,
  String.raw`\bconnection (?:refused|reset|failed|closed unexpectedly|aborted)\b|\bECONNREFUSED\b|\bECONNRESET\b|\bEHOSTUNREACH\b|\b(?:could not|unable to|failed to) connect\b`,
];

/** Terminal colour and cursor codes (CSI sequences), which would hide a word from `\b`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what starts these codes.
const ANSI_ESCAPE = /\u001b\[[0-?]*[ -/]*[@-~]/g;

/** How serious a log line is. */
export type Severity = 'critical' | 'error' | 'none';

/** Classifies lines with patterns compiled once. */
export interface Classifier {
  /** The severity of a line, from its first `maxLength` characters. */
  classify(line: string): Severity;
  /** How many characters of a line are classified; a longer line is cut to them first. */
  readonly maxLength: number;
}

/**
 * Compiles error and critical patterns into one case-insensitive expression, so a line
 * is scanned once whatever the number of patterns; the first critical match wins, and a
 * critical line is an error line too. Only the first `maxLength` characters of a line
 * are read (terminal colour codes in them removed).
 *
 * @example
 * const classifier = createClassifier({ critical: DEFAULT_CRITICAL_PATTERNS, error: DEFAULT_ERROR_PATTERNS });
 * classifier.classify('HTTP/1.1" 503 0'); // 'critical'
 */
export const createClassifier = ({
  critical,
  error,
  maxLength = MAX_CLASSIFIED_LENGTH,
}: {
  critical: readonly string[];
  error: readonly string[];
  maxLength?: number;
}): Classifier => {
  const anyOf = (patterns: readonly string[]) =>
    patterns.length === 0
      ? undefined
      : new RegExp(patterns.map((pattern) => `(?:${pattern})`).join('|'), 'i');
  // One test of every pattern at once settles the common case, a line that is neither.
  const notable = anyOf([...critical, ...error]);
  const criticalExpression = anyOf(critical);
  if (notable === undefined) return { classify: () => 'none', maxLength };
  return {
    maxLength,
    classify: (raw) => {
      const start = raw.slice(0, maxLength);
      const line = start.includes('\u001b') ? start.replace(ANSI_ESCAPE, '') : start;
      if (!notable.test(line)) return 'none';
      return criticalExpression?.test(line) ? 'critical' : 'error';
    },
  };
};
