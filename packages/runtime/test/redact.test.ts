import { HARMLESS_SAMPLES, SECRET_SAMPLES } from '@nightshift/testing';
import { describe, expect, it } from 'vitest';
import { maskSecrets, REDACTED, redactSecrets } from '../src/redact.ts';

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

  it.each([
    'secret',
    'password',
    'passwd',
    'sessionToken',
    'authorization',
    'apiKey',
    'api_key',
    'x-api-key',
    'webhook',
    'credentials',
    'privateKey',
    'private_key',
    'private-key',
    'signature',
    'PASSWORD',
  ])('hides the value under the key %j', (key) => {
    expect(stringify({ [key]: 'value', other: 'value' })).toEqual({
      [key]: REDACTED,
      other: 'value',
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

  it('keeps a secret-like key that has no value as it is', () => {
    expect(JSON.stringify({ password: null, token: undefined }, redactSecrets)).toBe(
      '{"password":null}',
    );
  });

  it('masks credentials inside strings at any depth, and in a string on its own', () => {
    // Prepare
    const [first, second] = SECRET_SAMPLES;

    // Act & Assess
    expect(stringify({ message: first?.text, list: [second?.text] })).toEqual({
      message: first?.masked,
      list: [second?.masked],
    });
    expect(JSON.stringify(first?.text, redactSecrets)).toBe(JSON.stringify(first?.masked));
  });

  it('leaves ordinary values alone', () => {
    expect(stringify({ count: 3, ok: true, list: ['a'], none: null })).toEqual({
      count: 3,
      ok: true,
      list: ['a'],
      none: null,
    });
  });
});

describe('Secret masking in free text', () => {
  it.each(SECRET_SAMPLES.map((sample) => [sample.kind, sample]))(
    'masks a %s',
    (_kind, { text, secret, masked }) => {
      // Act
      const out = maskSecrets(text);

      // Assess
      expect(out).toBe(masked);
      expect(out).not.toContain(secret);
    },
  );

  it('masks every credential of a text that holds many', () => {
    // Prepare: the cut-off private key runs to the end of the text, so it goes last.
    const samples = [...SECRET_SAMPLES].sort(
      (a, b) => Number(a.kind.endsWith('cut off')) - Number(b.kind.endsWith('cut off')),
    );

    // Act
    const out = maskSecrets(samples.map((sample) => sample.text).join('\n'));

    // Assess
    expect(out).toBe(samples.map((sample) => sample.masked).join('\n'));
  });

  it.each(HARMLESS_SAMPLES)('leaves %j as it is', (text) => {
    expect(maskSecrets(text)).toBe(text);
  });

  const KB = 1024;
  it.each([
    ['a word of letters', 'a'.repeat(256 * KB)],
    ['dotted words', 'a.'.repeat(128 * KB)],
    ['URL schemes', 'a://'.repeat(64 * KB)],
    ['URL users', '://u:'.repeat(51 * KB)],
    ['token starts', 'eyJ-'.repeat(64 * KB)],
    ['token parts', 'eyJa.b '.repeat(36 * KB)],
    ['names without values', 'password \\'.repeat(25 * KB)],
    ['bearer words', 'Bearer '.repeat(36 * KB)],
    ['key headers without their end', '-----BEGIN EC PRIVATE KEY-----'.repeat(8 * KB), REDACTED],
  ])('masks 256 KB of %s in linear time', (_shape, text, masked = text) => {
    // Act: a pattern that backtracks over such text runs for minutes, past the test's
    // timeout.
    const out = maskSecrets(text);

    // Assess (without printing 256 KB when it fails)
    expect(out === masked, `${out.slice(0, 60)}… is not ${masked.slice(0, 60)}…`).toBe(true);
  });
});
