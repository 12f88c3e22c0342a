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

/** Realistic lines from applications, proxies, databases and AWS services, labelled by hand. */
const CORPUS: [string, Severity][] = [
  // Not errors, including lines that fool a naive keyword or number search.
  ['Processed 512 records in 3.2 s', 'none'],
  ['INFO  Started application in 4.512 seconds (JVM running for 5.1)', 'none'],
  ['GET /api/orders 200 12ms', 'none'],
  [
    '10.0.0.12 - - [28/Nov/2026:03:00:01 +0000] "GET /health HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0"',
    'none',
  ],
  ['Uploaded 503 objects to s3://backups/2026-11-28/', 'none'],
  ['Retrying in 500 ms (attempt 2 of 5)', 'none'],
  ['Cache hit ratio 0.502', 'none'],
  ['Connection pool size set to 50, timeout=30s', 'none'],
  ['errorCount=0 warnings=2', 'none'],
  ['Tests: 120 passed, 0 failures', 'none'],
  ['user signed in: id=5001', 'none'],
  ['Listening on port 5000', 'none'],
  [
    'REPORT RequestId: 3f1c Duration: 504.23 ms Billed Duration: 505 ms Memory Size: 128 MB Max Memory Used: 80 MB',
    'none',
  ],
  ['START RequestId: 8b2e-4c7d Version: $LATEST', 'none'],
  ['deployment v5.0.3 rolled out to 3 hosts', 'none'],
  ['status=200 path=/api/items latency=501ms', 'none'],
  ['non-fatal warning: config key deprecated', 'none'],
  ['Scheduled job "cleanup" finished; 0 errors', 'none'],
  ['WARN slow query took 2503 ms', 'none'],
  ['The disk is 45% full', 'none'],
  ['Memory usage 512 MiB of 1024 MiB', 'none'],
  ['Received 501 bytes from upstream', 'none'],
  // Errors.
  ['ERROR Failed to send email to user 42', 'error'],
  ['2026-11-28T03:00:01Z [error] upstream returned an invalid response', 'error'],
  ['java.lang.IllegalStateException: queue is closed', 'error'],
  ['Unhandled exception in worker thread', 'error'],
  ['Job failed after 3 attempts', 'error'],
  ['payment FAILED: card declined', 'error'],
  [
    '10.0.0.7 - - [28/Nov/2026:03:00:02 +0000] "POST /api/pay HTTP/1.1" 507 0 "-" "curl/8.0"',
    'error',
  ],
  ['upstream responded status=520', 'error'],
  ['{"level":"warn","statusCode": 511,"path":"/auth"}', 'error'],
  ['Task timed out after 30.03 seconds', 'error'],
  ['read timeout while calling inventory-service', 'error'],
  ['TimeoutError: Navigation timeout of 30000 ms exceeded', 'error'],
  ['connect ETIMEDOUT 10.0.3.4:443', 'error'],
  ['Error: connect ECONNREFUSED 127.0.0.1:6379', 'error'],
  ['connection reset by peer', 'error'],
  ['Connection refused (Connection refused)', 'error'],
  ['could not connect to redis at cache:6379', 'error'],
  ['Traceback (most recent call last):', 'error'],
  ["TypeError: Cannot read properties of undefined (reading 'id')", 'error'],
  ['the horror and the terror of logs', 'none'],
  ["KeyError: 'customer_id' [ERROR]", 'error'],
  ['gateway timeout calling partner API', 'error'],
  ['failure while flushing metrics buffer', 'error'],
  ['Unable to connect to SMTP server', 'error'],
  ['socket hang up ECONNRESET', 'error'],
  ['Request failed with status code 404', 'error'],
  // Critical.
  ['FATAL: database connection failed after 5 retries', 'critical'],
  ['Database connection lost: server closed the connection unexpectedly', 'critical'],
  ['psql: error: could not connect to the database server', 'critical'],
  ['java.lang.OutOfMemoryError: Java heap space', 'critical'],
  ['FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory', 'critical'],
  ['Runtime exited with error: signal: killed Runtime.ExitError (out of memory)', 'critical'],
  ['write /var/lib/app/cache: no space left on device', 'critical'],
  ['ENOSPC: no space left on device, write', 'critical'],
  ['disk full on /dev/xvda1', 'critical'],
  ['SECURITY VIOLATION: token signature mismatch from 203.0.113.9', 'critical'],
  [
    '10.0.0.9 - - [28/Nov/2026:03:00:03 +0000] "GET /api/orders HTTP/1.1" 503 0 "-" "Mozilla/5.0"',
    'critical',
  ],
  ['HTTP 500 Internal Server Error from billing', 'critical'],
  ['upstream status=502 bad gateway', 'critical'],
  ['{"statusCode":504,"message":"Endpoint request timed out"}', 'critical'],
  ['status code: 505 HTTP version not supported', 'critical'],
  ['panic: runtime error: invalid memory address or nil pointer dereference', 'critical'],
  ['fatal error: concurrent map writes', 'critical'],
  ['[FATAL] worker crashed', 'critical'],
  ['kernel: Out of memory: Killed process 1234 (java)', 'critical'],
  ['Error: ENOSPC: System limit for number of file watchers reached', 'critical'],
];

describe('Log line classification', () => {
  it('has a corpus large enough to mean something', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
    for (const severity of ['none', 'error', 'critical'] as const) {
      expect(CORPUS.filter(([, label]) => label === severity).length).toBeGreaterThanOrEqual(15);
    }
  });

  it.each(CORPUS)('%s → %s', (line, expected) => {
    expect(classifier.classify(line)).toBe(expected);
  });

  it('finds a critical phrase even after an error keyword earlier in the line', () => {
    expect(classifier.classify('ERROR retry 3 failed: out of memory')).toBe('critical');
  });

  it('replaces or extends the patterns', () => {
    // Prepare
    const replaced = createClassifier({
      critical: ['payment provider down'],
      error: ['quota exceeded'],
    });
    const extended = createClassifier({
      critical: [...DEFAULT_CRITICAL_PATTERNS, 'payment provider down'],
      error: DEFAULT_ERROR_PATTERNS,
    });

    // Act & Assess
    expect(replaced.classify('ERROR something')).toBe('none');
    expect(replaced.classify('API quota exceeded for tenant 7')).toBe('error');
    expect(replaced.classify('Payment provider down since 03:00')).toBe('critical');
    expect(extended.classify('payment provider down')).toBe('critical');
    expect(extended.classify('java.lang.OutOfMemoryError')).toBe('critical');
  });

  it('classifies nothing with no patterns at all', () => {
    expect(createClassifier({ critical: [], error: [] }).classify('FATAL ERROR')).toBe('none');
  });
});

/**
 * The constructs that make a backtracking engine slow on long input, found in a pattern's
 * source: a look-behind holding an unbounded quantifier (read again from every position
 * it is tried at), and a group repeated by `*`, `+` or `{n,}` that holds a quantifier or
 * an alternation (many ways to split the same text).
 */
const slowConstructs = (source: string): string[] => {
  const found: string[] = [];
  const groups: { start: number; lookBehind: boolean; unbounded: boolean; nested: boolean }[] = [];
  const unboundedAt = (at: number) => {
    const next = source[at];
    if (next === '*' || next === '+') return true;
    return next === '{' && /^\{\d+,\}/.test(source.slice(at));
  };
  const quantifierAt = (at: number) => source[at] === '?' || source[at] === '{' || unboundedAt(at);
  const mark = (unbounded: boolean) => {
    for (const group of groups) {
      group.nested = true;
      if (unbounded) group.unbounded = true;
    }
  };
  for (let at = 0; at < source.length; at += 1) {
    const char = source[at];
    if (char === '\\') {
      at += 1;
      if (unboundedAt(at + 1) || quantifierAt(at + 1)) mark(unboundedAt(at + 1));
    } else if (char === '[') {
      at += 1;
      while (at < source.length && source[at] !== ']') at += source[at] === '\\' ? 2 : 1;
      if (quantifierAt(at + 1)) mark(unboundedAt(at + 1));
    } else if (char === '(') {
      groups.push({
        start: at,
        lookBehind: source.startsWith('(?<=', at) || source.startsWith('(?<!', at),
        unbounded: false,
        nested: false,
      });
    } else if (char === '|') {
      for (const group of groups) group.nested = true;
    } else if (char === ')') {
      const group = groups.pop();
      if (!group) continue;
      const text = source.slice(group.start, at + 1);
      if (group.lookBehind && group.unbounded) found.push(`look-behind over a run: ${text}`);
      if (unboundedAt(at + 1) && group.nested) found.push(`repeated group: ${text}`);
      if (quantifierAt(at + 1)) mark(unboundedAt(at + 1));
      else if (group.unbounded) mark(true);
    } else if (quantifierAt(at + 1) && char !== '?' && char !== '*' && char !== '+') {
      mark(unboundedAt(at + 1));
    }
  }
  return found;
};

describe('Default patterns', () => {
  it('finds the slow constructs it looks for', () => {
    expect(slowConstructs(String.raw`(?-i:(?<=\b[A-Z][A-Za-z]*)Error\b)`)).toEqual([
      String.raw`look-behind over a run: (?<=\b[A-Z][A-Za-z]*)`,
    ]);
    expect(slowConstructs('(?<=a+)b')).toHaveLength(1);
    expect(slowConstructs(String.raw`(?<=\w{2,})b`)).toHaveLength(1);
    expect(slowConstructs('(a+)+b')).toEqual(['repeated group: (a+)']);
    expect(slowConstructs('(?:a|ab)*c')).toEqual(['repeated group: (?:a|ab)']);
    expect(slowConstructs(String.raw`(?:\d?)*x`)).toHaveLength(1);
    expect(slowConstructs('(?:[a-z]{1,3}){2,}')).toHaveLength(1);
    expect(slowConstructs(String.raw`(?<!non-)\bfatal\b|(?:ab)+|(?:x+)?|(?<=[a-z]{0,4})y`)).toEqual(
      [],
    );
  });

  it('have no look-behind over a run and no repeated group of quantifiers or alternatives', () => {
    for (const pattern of [...DEFAULT_CRITICAL_PATTERNS, ...DEFAULT_ERROR_PATTERNS]) {
      expect(slowConstructs(pattern), pattern).toEqual([]);
    }
  });
});

describe('A line longer than the classifier reads', () => {
  const at = (length: number, word: string) => `${'x'.repeat(length - word.length)} ${word}`;

  it('reads 8 KB of a line', () => {
    expect(MAX_CLASSIFIED_LENGTH).toBe(8 * 1024);
    expect(classifier.maxLength).toBe(MAX_CLASSIFIED_LENGTH);
  });

  it('is classified from its first 8 KB only: a word after them does not count', () => {
    // Prepare: a word that ends exactly at the 8 KB mark, and one that ends a character later.
    const errorInside = at(MAX_CLASSIFIED_LENGTH - 1, 'ERROR');
    const errorAcross = at(MAX_CLASSIFIED_LENGTH, 'ERROR');
    const fatalAfter = `ERROR ${'y'.repeat(MAX_CLASSIFIED_LENGTH)} FATAL out of memory`;

    // Act & Assess
    expect(errorInside).toHaveLength(MAX_CLASSIFIED_LENGTH);
    expect(classifier.classify(errorInside)).toBe('error');
    expect(classifier.classify(`${errorInside}${'z'.repeat(100_000)}`)).toBe('error');
    expect(classifier.classify(errorAcross)).toBe('none');
    expect(classifier.classify(`${'z'.repeat(300_000)} FATAL`)).toBe('none');
    expect(classifier.classify(fatalAfter)).toBe('error');
    expect(classifier.classify(`${'Error'.repeat(52_429)} FATAL`)).toBe('none');
  });

  it('is cut before colour codes are removed, so they count toward the 8 KB', () => {
    // Prepare
    const colour = '\u001b[31m';
    const line = `${colour.repeat(MAX_CLASSIFIED_LENGTH / colour.length)} ERROR`;

    // Act & Assess
    expect(classifier.classify(line)).toBe('none');
    expect(classifier.classify(`${colour} ERROR${colour.repeat(10_000)}`)).toBe('error');
  });

  it('cuts lines for configured patterns too, at the length it is given', () => {
    // Prepare
    const custom = createClassifier({ critical: ['payment provider down'], error: ['oops'] });
    const short = createClassifier({ critical: ['down'], error: [], maxLength: 10 });

    // Act & Assess
    expect(custom.maxLength).toBe(MAX_CLASSIFIED_LENGTH);
    expect(custom.classify(`${'a'.repeat(MAX_CLASSIFIED_LENGTH)} payment provider down`)).toBe(
      'none',
    );
    expect(custom.classify(`${'a'.repeat(MAX_CLASSIFIED_LENGTH - 10)} oops`)).toBe('error');
    expect(short.maxLength).toBe(10);
    expect(short.classify('12345 down')).toBe('critical');
    expect(short.classify('123456 down')).toBe('none');
    expect(createClassifier({ critical: [], error: [], maxLength: 10 }).maxLength).toBe(10);
  });
});
