/** The default patterns: what the original snippet looked for, with HTTP codes only where they are status codes. */

/** An HTTP status code in the places one appears: `HTTP/1.1" 503`, `HTTP 503`, `status=502`, `"statusCode": 500`. */
const status = (codes: string) =>
  String.raw`(?:\bHTTP(?:/[\d.]+)?"?\s+|\bstatus(?:[_ ]?code)?["']?\s*[=:]\s*)(?:${codes})\b`;

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
  // A word ending in "exception", or a capitalised word ending in "Error" (TypeError): written
  // to start at the fixed text, which the engine can look for fast, and check the word after.
  String.raw`exception\b|\bTraceback \(most recent call last\)|(?-i:(?<=\b[A-Z][A-Za-z]*)Error\b)`,
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
  classify(line: string): Severity;
}

/**
 * Compiles error and critical patterns into one case-insensitive expression, so a line
 * is scanned once whatever the number of patterns; the first critical match wins, and a
 * critical line is an error line too.
 *
 * @example
 * const classifier = createClassifier({ critical: DEFAULT_CRITICAL_PATTERNS, error: DEFAULT_ERROR_PATTERNS });
 * classifier.classify('HTTP/1.1" 503 0'); // 'critical'
 */
export const createClassifier = ({
  critical,
  error,
}: {
  critical: readonly string[];
  error: readonly string[];
}): Classifier => {
  const anyOf = (patterns: readonly string[]) =>
    patterns.length === 0
      ? undefined
      : new RegExp(patterns.map((pattern) => `(?:${pattern})`).join('|'), 'i');
  // One test of every pattern at once settles the common case, a line that is neither.
  const notable = anyOf([...critical, ...error]);
  const criticalExpression = anyOf(critical);
  if (notable === undefined) return { classify: () => 'none' };
  return {
    classify: (raw) => {
      const line = raw.includes('\u001b') ? raw.replace(ANSI_ESCAPE, '') : raw;
      if (!notable.test(line)) return 'none';
      return criticalExpression?.test(line) ? 'critical' : 'error';
    },
  };
};
