import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createClassifier,
  DEFAULT_CRITICAL_PATTERNS,
  DEFAULT_ERROR_PATTERNS,
  MAX_CLASSIFIED_LENGTH,
  type Severity,
} from '../src/classify.ts';

const classifier = createClassifier({
  critical: DEFAULT_CRITICAL_PATTERNS,
  error: DEFAULT_ERROR_PATTERNS,
});
const criticalOnly = createClassifier({ critical: DEFAULT_CRITICAL_PATTERNS, error: [] });
const errorOnly = createClassifier({ critical: [], error: DEFAULT_ERROR_PATTERNS });

const SEVERITIES: readonly Severity[] = ['none', 'error', 'critical'];
const rank = (severity: Severity) => SEVERITIES.indexOf(severity);

/** Phrases a default critical pattern matches on their own, in any letter case. */
const CRITICAL_MARKERS = [
  'FATAL',
  'panic:',
  'out of memory',
  'OutOfMemoryError',
  'OOMKilled',
  'cannot allocate memory',
  'no space left on device',
  'ENOSPC',
  'disk full',
  'security breach',
  'database connection failed',
  'db connection lost',
  'could not connect to the database',
  'HTTP 503',
  'HTTP/1.1" 500',
  'status=502',
  '"statusCode": 504',
];

const ERROR_MARKERS = [
  'ERROR',
  'failed',
  'Exception',
  'TypeError',
  'Traceback (most recent call last)',
  'timed out',
  'ECONNREFUSED',
  'connection reset',
  'status=520',
];

const NEAR_MISSES = [
  'non-fatal',
  'errorCount=0',
  'terror',
  'mirror',
  'Uploaded 503 objects',
  'status=200',
  'failover',
  'memory',
  'database',
  'HTTP',
];

const SEPARATORS = [' ', '', '\n', '\t', ': ', '-', '"', '=', '/', '.', '[', ']'];

/** Lines stitched from markers, near misses, words, numbers and any unicode. */
const lineOf = (text: fc.Arbitrary<string>) =>
  fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom(...CRITICAL_MARKERS),
          fc.constantFrom(...ERROR_MARKERS),
          fc.constantFrom(...NEAR_MISSES),
          fc.stringMatching(/^[A-Za-z]{1,8}$/),
          fc.integer({ min: 0, max: 999 }).map(String),
          text,
        ),
        fc.constantFrom(...SEPARATORS),
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.map(([token, separator]) => token + separator).join(''));

const anyLine = fc.oneof(
  lineOf(fc.string({ unit: 'binary', maxLength: 12 })),
  fc.string({ unit: 'binary', maxLength: 500 }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
);
const asciiLine = lineOf(fc.string({ maxLength: 12 }));

/** A select graphic rendition sequence, as colouring loggers write them. */
const ansiCode = fc
  .array(fc.integer({ min: 0, max: 107 }), { maxLength: 3 })
  .map((codes) => `\u001b[${codes.join(';')}m`);

/** Text with nothing a word boundary or a pattern could latch onto. */
const nonWordText = fc
  .string({ unit: 'binary', maxLength: 40 })
  .map((text) => text.replace(/\w/g, '').replaceAll('\u001b', ''));

const runs = { numRuns: 200 };

/** Lines made of the parts the exception and …Error pattern looks at. */
const wordy = fc
  .array(
    fc.oneof(
      fc.constantFrom('exception', 'Exception', 'EXCEPTION', 'Error', 'error', 'ERROR', 'Type'),
      fc.stringMatching(/^[A-Za-z0-9_]{0,6}$/),
      fc.constantFrom(
        ' ',
        '.',
        '_',
        '-',
        'é',
        'İ',
        'Traceback (most recent call last)',
        'TRACEBACK (MOST RECENT CALL LAST)',
      ),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

const isWordCharacter = (char: string | undefined) =>
  char !== undefined &&
  ((char >= 'a' && char <= 'z') ||
    (char >= 'A' && char <= 'Z') ||
    (char >= '0' && char <= '9') ||
    char === '_');
const isLetter = (char: string) => (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z');
/** ASCII letters in lower case, every other character as it is (the length stays). */
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (char) => char.toLowerCase());

/**
 * What the exception and …Error pattern means, without a regular expression: a word (a run
 * of ASCII letters, digits and underscores) that ends in "exception" in any case, or that is
 * all letters, starts with a capital and ends in "Error" as written; or the Traceback
 * header in any case, at the start of a word.
 */
const exceptionOrErrorWord = (line: string): boolean => {
  const words: string[] = [];
  let word = '';
  for (const char of line) {
    if (isWordCharacter(char)) word += char;
    else if (word !== '') {
      words.push(word);
      word = '';
    }
  }
  if (word !== '') words.push(word);
  const camelError = (text: string) =>
    text.length > 'Error'.length &&
    text.endsWith('Error') &&
    [...text].every(isLetter) &&
    text[0] === text[0]?.toUpperCase();
  if (words.some((text) => asciiLower(text).endsWith('exception') || camelError(text))) {
    return true;
  }
  const lower = asciiLower(line);
  const header = 'traceback (most recent call last)';
  for (let at = lower.indexOf(header); at !== -1; at = lower.indexOf(header, at + 1)) {
    if (!isWordCharacter(line[at - 1])) return true;
  }
  return false;
};

/** The exception and …Error pattern as it was written before, with a look-behind. */
const LOOK_BEHIND_FORM = String.raw`exception\b|\bTraceback \(most recent call last\)|(?-i:(?<=\b[A-Z][A-Za-z]*)Error\b)`;
const byOne = (patterns: readonly string[]) =>
  patterns.map(
    (pattern) => new RegExp(pattern.includes('Traceback') ? LOOK_BEHIND_FORM : pattern, 'i'),
  );
const criticalByOne = byOne(DEFAULT_CRITICAL_PATTERNS);
const errorByOne = byOne(DEFAULT_ERROR_PATTERNS);

/**
 * The severity of a line found the plain way: its first 8 KB, colour codes removed, each
 * pattern (the look-behind form of the one that changed) tried on its own.
 */
const referenceSeverity = (line: string): Severity => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts a colour code.
  const text = line.slice(0, MAX_CLASSIFIED_LENGTH).replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '');
  if (criticalByOne.some((pattern) => pattern.test(text))) return 'critical';
  return errorByOne.some((pattern) => pattern.test(text)) ? 'error' : 'none';
};

describe('Log line classification, for any line', () => {
  it('returns one of the three severities and never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyLine,
          fc
            .tuple(anyLine, fc.integer({ min: 1, max: 2_000 }))
            .map(([line, times]) => `${line} `.repeat(times)),
        ),
        (line) => {
          // Act
          const severity = classifier.classify(line);

          // Assess
          expect(SEVERITIES).toContain(severity);
        },
      ),
      runs,
    );
  });

  it('matches with the exception and …Error pattern exactly what reading the words finds', () => {
    // Prepare
    const shipped = DEFAULT_ERROR_PATTERNS.find((pattern) => pattern.includes('Traceback'));
    expect(shipped).toBeDefined();
    const pattern = new RegExp(shipped ?? '', 'i');
    const line = fc.oneof(
      wordy,
      wordy.chain((text) =>
        fc.integer({ min: 1, max: 3_000 }).map((times) => text.repeat(times).slice(0, 20_000)),
      ),
    );

    fc.assert(
      fc.property(fc.oneof(line, anyLine), (text) => {
        // Act & Assess
        expect(pattern.test(text)).toBe(exceptionOrErrorWord(text));
      }),
      { numRuns: 500 },
    );
    // Lines of up to 20 KB: the reference reads each word, which takes a while on a busy machine.
  }, 60_000);

  it('gives a line the severity that each pattern on its own gives its first 8 KB, as the look-behind form did', () => {
    // Prepare: lines around the 8 KB mark too.
    const line = fc.oneof(
      anyLine,
      wordy,
      fc
        .tuple(anyLine, fc.integer({ min: MAX_CLASSIFIED_LENGTH - 40, max: MAX_CLASSIFIED_LENGTH }))
        .map(([text, length]) => `${'.'.repeat(length)}${text}`),
      fc
        .tuple(wordy, fc.integer({ min: 1, max: 400 }))
        .map(([text, times]) => text.repeat(times).slice(0, 12_000)),
    );

    fc.assert(
      fc.property(line, (text) => {
        // Act & Assess
        expect(classifier.classify(text)).toBe(referenceSeverity(text));
      }),
      { numRuns: 500 },
    );
  });

  it('gives a line the same severity whatever was classified before it', () => {
    fc.assert(
      fc.property(fc.array(anyLine, { minLength: 1, maxLength: 10 }), (lines) => {
        // Act
        const shared = lines.map((line) => classifier.classify(line));
        const fresh = lines.map((line) =>
          createClassifier({
            critical: DEFAULT_CRITICAL_PATTERNS,
            error: DEFAULT_ERROR_PATTERNS,
          }).classify(line),
        );

        // Assess
        expect(shared).toEqual(fresh);
      }),
      { numRuns: 100 },
    );
  });

  it('finds a line clean only when neither the critical nor the error patterns match it', () => {
    fc.assert(
      fc.property(anyLine, (line) => {
        // Act
        const severity = classifier.classify(line);
        const critical = criticalOnly.classify(line);
        const error = errorOnly.classify(line);

        // Assess
        expect(severity === 'none').toBe(critical === 'none' && error === 'none');
        if (severity === 'critical') expect(critical).toBe('critical');
      }),
      runs,
    );
  });

  it('never classifies a line with a critical marker below error, wherever the marker is', () => {
    fc.assert(
      fc.property(
        anyLine,
        fc.mixedCase(fc.constantFrom(...CRITICAL_MARKERS)),
        anyLine,
        (before, marker, after) => {
          // Act
          const severity = classifier.classify(`${before} ${marker} ${after}`);

          // Assess
          expect(rank(severity)).toBeGreaterThanOrEqual(rank('error'));
        },
      ),
      runs,
    );
  });

  it('classifies a line as critical when a critical marker leads it, whatever follows', () => {
    fc.assert(
      fc.property(
        nonWordText,
        fc.mixedCase(fc.constantFrom(...CRITICAL_MARKERS)),
        anyLine,
        (lead, marker, rest) => {
          // Act
          const severity = classifier.classify(`${lead} ${marker} ${rest}`);

          // Assess
          expect(severity).toBe('critical');
        },
      ),
      runs,
    );
  });

  it('is not changed by a prefix without letters, digits or underscores', () => {
    fc.assert(
      fc.property(nonWordText, anyLine, (prefix, line) => {
        // Act & Assess
        expect(classifier.classify(prefix + line)).toBe(classifier.classify(line));
      }),
      runs,
    );
  });

  it('ignores letter case, except in CamelCase …Error names', () => {
    fc.assert(
      fc.property(asciiLine, (line) => {
        // Act
        const severity = classifier.classify(line);
        const upper = classifier.classify(line.toUpperCase());
        const lower = classifier.classify(line.toLowerCase());

        // Assess
        expect(upper === 'critical').toBe(severity === 'critical');
        expect(lower === 'critical').toBe(severity === 'critical');
        if (!/error/i.test(line)) {
          expect(upper).toBe(severity);
          expect(lower).toBe(severity);
        }
      }),
      runs,
    );
  });

  it('reads a line the same with or without terminal colour codes in it', () => {
    fc.assert(
      fc.property(
        anyLine.filter((line) => !line.includes('\u001b')),
        fc.array(fc.tuple(fc.nat(), ansiCode), { maxLength: 4 }),
        (line, insertions) => {
          // Prepare
          const cuts = insertions
            .map(([at, code]) => [at % (line.length + 1), code] as const)
            .sort(([a], [b]) => b - a);
          let coloured = line;
          for (const [index, code] of cuts) {
            coloured = coloured.slice(0, index) + code + coloured.slice(index);
          }

          // Act & Assess
          expect(classifier.classify(coloured)).toBe(classifier.classify(line));
        },
      ),
      runs,
    );
  });
});
