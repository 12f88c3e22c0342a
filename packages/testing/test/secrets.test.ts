import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { HARMLESS_SAMPLES, SECRET_SAMPLES } from '../src/secrets.ts';

const REDACTED = '[REDACTED]';
const source = readFileSync(new URL('../src/secrets.ts', import.meta.url), 'utf8');

/** The kinds a secret scanner recognises by their shape alone. */
const SCANNED =
  /AWS (access key id|temporary|role|user|secret)|GitHub|Slack|JSON web token|private key block/;

describe('SECRET_SAMPLES', () => {
  it.each(SECRET_SAMPLES.map((sample) => [sample.kind, sample]))(
    'carries the %s once in its line, and its masked line is that line with it redacted',
    (_kind, sample) => {
      // Assess
      expect(sample.secret.length).toBeGreaterThan(0);
      expect(sample.text.split(sample.secret)).toHaveLength(2);
      expect(sample.masked).toBe(sample.text.replace(sample.secret, REDACTED));
      expect(sample.masked).not.toContain(sample.secret);
    },
  );

  it('covers the credentials masking must catch', () => {
    // Act
    const kinds = new Set(SECRET_SAMPLES.map((sample) => sample.kind));

    // Assess
    for (const kind of [
      'AWS access key id',
      'AWS secret access key',
      'AWS session token',
      'bearer token',
      'basic credentials',
      'password',
      'API key',
      'database password',
      'Slack webhook',
      'Teams Workflows webhook',
      'GitHub token',
      'Slack token',
      'JSON web token',
      'private key block',
    ]) {
      expect(kinds).toContain(kind);
    }
  });

  it('has credentials of the shapes the services issue', () => {
    // Act
    const of = (kind: string) =>
      SECRET_SAMPLES.filter((sample) => sample.kind === kind).map((sample) => sample.secret);

    // Assess
    expect(of('AWS access key id')).toEqual([expect.stringMatching(/^AKIA[A-Z0-9]{16}$/)]);
    expect(of('AWS secret access key')[0]).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(of('GitHub token')).toHaveLength(5);
    for (const token of of('GitHub token')) expect(token).toMatch(/^gh[pousr]_[A-Za-z0-9]{36}$/);
    for (const token of of('Slack token'))
      expect(token).toMatch(/^x(ox[baprse]|app)-[\d-]+-\w{24}$/);
    for (const token of of('JSON web token'))
      expect(token).toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
    for (const block of of('private key block')) {
      expect(block).toMatch(/^-----BEGIN [A-Z ]+-----\n[A-Za-z0-9+/=\n]+\n-----END [A-Z ]+-----$/);
    }
  });

  it('is the same on every run', async () => {
    // Prepare
    vi.resetModules();

    // Act
    const again = await import('../src/secrets.ts');

    // Assess
    expect(again.SECRET_SAMPLES).not.toBe(SECRET_SAMPLES);
    expect(again.SECRET_SAMPLES).toEqual(SECRET_SAMPLES);
  });

  it('keeps every credential a scanner would recognise out of its source text', () => {
    // Prepare
    const scanned = SECRET_SAMPLES.filter((sample) => SCANNED.test(sample.kind));

    // Assess
    expect(scanned.length).toBeGreaterThan(20);
    for (const { kind, secret } of scanned) {
      expect(source.includes(secret), kind).toBe(false);
    }
    expect(source).not.toMatch(/A(KI|SI|RO|ID)A[A-Z0-9]{16}/);
    expect(source).not.toMatch(/gh[pousr]_[A-Za-z0-9]{36}/);
    expect(source).not.toMatch(/xox[baprse]-\d/);
    expect(source).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(source).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY/);
  });
});

describe('HARMLESS_SAMPLES', () => {
  it('are lines that only look like credentials: none carries a credential of the samples', () => {
    // Prepare
    const credentials = SECRET_SAMPLES.map(({ secret }) => secret).filter(
      (secret) => secret.length >= 8,
    );

    // Assess
    expect(HARMLESS_SAMPLES.length).toBeGreaterThan(5);
    for (const line of HARMLESS_SAMPLES) {
      expect(line).not.toContain(REDACTED);
      for (const secret of credentials) expect(line.includes(secret), line).toBe(false);
    }
  });

  it('include the near misses: words and prefixes that name a secret without one', () => {
    // Act
    const all = HARMLESS_SAMPLES.join('\n');

    // Assess
    expect(all).toMatch(/password/);
    expect(all).toMatch(/Token/);
    expect(all).toMatch(/AKIA/);
    expect(all).toMatch(/BEGIN CERTIFICATE/);
    expect(all).toMatch(/ghp_short/);
  });
});
