import { describe, expect, it } from 'vitest';
import { maskSecrets, redactSecrets } from '../src/redact.ts';

const stringify = (value: unknown) => JSON.parse(JSON.stringify(value, redactSecrets));

describe('Secret redaction in log lines', () => {
  it('hides values under secret-like keys, at any depth', () => {
    // Act
    const out = stringify({
      slackWebhookUrl: 'https://example.com/x',
      nested: { apiKey: 'k', password: 'p', Authorization: 'Bearer t', clientSecret: 's' },
      instanceId: 'i-123',
    });

    // Assess
    expect(out).toEqual({
      slackWebhookUrl: '[REDACTED]',
      nested: {
        apiKey: '[REDACTED]',
        password: '[REDACTED]',
        Authorization: '[REDACTED]',
        clientSecret: '[REDACTED]',
      },
      instanceId: 'i-123',
    });
  });

  it('hides whole objects and lists under secret-like keys', () => {
    // Act
    const out = stringify({
      webhook: { url: 'https://example.com/x' },
      tokens: ['a', 'b'],
      tags: [{ Key: 'k' }],
    });

    // Assess
    expect(out).toEqual({ webhook: '[REDACTED]', tokens: '[REDACTED]', tags: [{ Key: 'k' }] });
  });

  it('hides credentials embedded in webhook URLs inside any string', () => {
    // Act
    const out = stringify({
      message: 'posting to https://hooks.slack.com/services/AAA/BBB/ccc failed',
      url: 'https://prod.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=1&sig=abc123',
    });

    // Assess
    expect(out.message).toBe('posting to https://hooks.slack.com/[REDACTED] failed');
    expect(out.url).toBe(
      'https://prod.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=1&sig=[REDACTED]',
    );
  });

  it('leaves ordinary values alone', () => {
    expect(stringify({ count: 3, ok: true, list: ['a'], none: null })).toEqual({
      count: 3,
      ok: true,
      list: ['a'],
      none: null,
    });
  });

  it.each([
    // AWS's documented example key id, split so that secret scanners do not flag the file.
    [`key ${'AKIA'}IOSFODNN7EXAMPLE used`, 'key [REDACTED] used'],
    [
      'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY set',
      'aws_secret_access_key=[REDACTED] set',
    ],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'Authorization: Bearer [REDACTED]'],
    [
      'login failed for bob password=hunter2; retrying',
      'login failed for bob password=[REDACTED]; retrying',
    ],
    ['{"user":"bob","password":"s3cr3t!"}', '{"user":"bob","password":"[REDACTED]"}'],
    [
      'connecting to postgres://app:pa55word@db:5432/app',
      'connecting to postgres://app:[REDACTED]@db:5432/app',
    ],
    ['GET /callback?code=abc123&state=x', 'GET /callback?code=[REDACTED]&state=x'],
    ['Processed 512 records in 3 s', 'Processed 512 records in 3 s'],
  ])('masks credentials in free text: %j', (text, masked) => {
    expect(maskSecrets(text)).toBe(masked);
  });
});
