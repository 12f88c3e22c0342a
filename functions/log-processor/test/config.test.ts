import { ConfigError } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTINGS } from '../src/config.ts';

describe('log-processor configuration', () => {
  it('reads configured patterns on the first 8 KB of a line too', () => {
    // Act
    const config = loadConfig({ EXTRA_CRITICAL_PATTERNS: '["payment provider down"]' });

    // Assess
    expect(config.classifier.classify(`${'a'.repeat(8_192)} payment provider down`)).toBe('none');
    expect(config.classifier.classify(`${'a'.repeat(8_170)} payment provider down`)).toBe(
      'critical',
    );
  });

  it('uses configured patterns, and names a pattern that does not compile', () => {
    // Act
    const config = loadConfig({
      EXTRA_CRITICAL_PATTERNS: '["payment provider down"]',
      ERROR_PATTERNS: '["oops"]',
    });

    // Assess
    expect(config.classifier.classify('Payment provider down')).toBe('critical');
    expect(config.classifier.classify('oops')).toBe('error');
    expect(config.classifier.classify('ERROR')).toBe('none');
    expect(() => loadConfig({ ERROR_PATTERNS: '["(unclosed"]' })).toThrow(
      /ERROR_PATTERNS: has an invalid regular expression "\(unclosed"/,
    );
    expect(() => loadConfig({ CRITICAL_PATTERNS: 'FATAL' })).toThrow(
      /CRITICAL_PATTERNS: must be JSON, like \["quota exceeded", "HTTP 429"\]/,
    );
  });

  it('names an entry of a pattern list that is not a string, and a list that is not a list', () => {
    expect(() => loadConfig({ EXTRA_ERROR_PATTERNS: '["ok", 42]' })).toThrow(
      /EXTRA_ERROR_PATTERNS\[1\]: must be a string/,
    );
    expect(() => loadConfig({ ERROR_PATTERNS: '{"a": "b"}' })).toThrow(
      /ERROR_PATTERNS: must be a JSON array of strings/,
    );
    expect(() => loadConfig({ CRITICAL_PATTERNS: 'FATAL' })).toThrow(ConfigError);
  });

  it('takes the defaults when nothing is set', () => {
    // Act
    const config = loadConfig({});

    // Assess
    expect(config).toMatchObject({
      alertTopicArn: undefined,
      maxLines: 5,
      maxLineLength: 500,
      region: 'us-east-1',
    });
    expect(config.classifier.classify('ERROR x')).toBe('error');
    expect(config.classifier.classify('FATAL x')).toBe('critical');
  });

  it("takes Lambda's Region for the alert's link, AWS_REGION first", () => {
    expect(loadConfig({ AWS_DEFAULT_REGION: 'eu-west-1' }).region).toBe('eu-west-1');
    expect(loadConfig({ AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'eu-west-1' }).region).toBe(
      'eu-central-1',
    );
  });

  it('reads the alert settings, a blank topic as none', () => {
    expect(
      loadConfig({
        ALERT_TOPIC_ARN: ' arn:aws:sns:us-east-1:123456789012:alerts ',
        ALERT_MAX_LINES: '3',
        ALERT_MAX_LINE_LENGTH: '50',
      }),
    ).toMatchObject({
      alertTopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
      maxLines: 3,
      maxLineLength: 50,
    });
    expect(loadConfig({ ALERT_TOPIC_ARN: '   ' }).alertTopicArn).toBeUndefined();
    expect(() => loadConfig({ ALERT_MAX_LINES: '0', ALERT_MAX_LINE_LENGTH: '49' })).toThrow(
      /ALERT_MAX_LINES: must be at least 1.*ALERT_MAX_LINE_LENGTH: must be at least 50/,
    );
  });

  it('reads every variable of the contract, each under one setting', () => {
    expect(Object.values(SETTINGS).map(([variable]) => variable)).toEqual([
      'ALERT_TOPIC_ARN',
      'ERROR_PATTERNS',
      'CRITICAL_PATTERNS',
      'EXTRA_ERROR_PATTERNS',
      'EXTRA_CRITICAL_PATTERNS',
      'ALERT_MAX_LINES',
      'ALERT_MAX_LINE_LENGTH',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
    ]);
  });
});
