import { SECRET_SAMPLES } from '@nightshift/testing';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  envFlag,
  envInteger,
  envJson,
  envList,
  envString,
  parseEnv,
  parseSettings,
} from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';

const Schema = z.object({
  SNS_TOPIC_ARN: envString(),
  RETENTION_DAYS: envInteger({ default: 30, min: 1, max: 3650 }),
  DRY_RUN: envFlag(),
  PATTERNS: envList(['ERROR']),
});

describe('Load configuration from the environment', () => {
  it('applies defaults for every variable that is not set', () => {
    // Act
    const config = parseEnv(Schema, {
      SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:reports',
    });

    // Assess
    expect(config).toEqual({
      SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:reports',
      RETENTION_DAYS: 30,
      DRY_RUN: false,
      PATTERNS: ['ERROR'],
    });
  });

  it('parses numbers, switches and lists from their text', () => {
    // Act
    const config = parseEnv(Schema, {
      SNS_TOPIC_ARN: ' arn ',
      RETENTION_DAYS: '7',
      DRY_RUN: 'yes',
      PATTERNS: 'ERROR, FATAL,,',
    });

    // Assess
    expect(config).toEqual({
      SNS_TOPIC_ARN: 'arn',
      RETENTION_DAYS: 7,
      DRY_RUN: true,
      PATTERNS: ['ERROR', 'FATAL'],
    });
  });

  it('lists every missing or invalid variable in one ConfigError', () => {
    // Act
    const attempt = () => parseEnv(Schema, { RETENTION_DAYS: '0', DRY_RUN: 'maybe' });

    // Assess
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const { issues, message } = error as ConfigError;
      expect(issues.map((issue) => issue.path)).toEqual([
        'SNS_TOPIC_ARN',
        'RETENTION_DAYS',
        'DRY_RUN',
      ]);
      expect(issues[0]?.message).toBe('is required but not set');
      expect(message).toBe(
        'Invalid configuration: SNS_TOPIC_ARN: is required but not set; RETENTION_DAYS: must be at least 1; DRY_RUN: must be true or false',
      );
    }
  });

  it('never quotes a value in the error, which Lambda logs and sends on', () => {
    // Prepare: a webhook URL put into the wrong variable, and one that fails its check.
    const url = ['https://hooks.slack.com/services', 'T000', 'B000', 'secret-path-value'].join('/');
    const schema = z.object({
      RETENTION_DAYS: envInteger({ default: 30 }),
      WEBHOOK: z.string().check(z.refine((value) => value.startsWith('https://x'), `not ${url}`)),
    });

    // Act
    const error = (() => {
      try {
        parseEnv(schema, { RETENTION_DAYS: url, WEBHOOK: url });
      } catch (thrown) {
        return thrown as ConfigError;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toBe(
      'Invalid configuration: RETENTION_DAYS: must be a whole number; WEBHOOK: not https://hooks.slack.com/[REDACTED]',
    );
    expect(JSON.stringify(error?.issues)).not.toContain('secret-path-value');
    expect(error?.cause).toBeUndefined();
  });

  it.each(SECRET_SAMPLES.map((sample) => [sample.kind, sample]))(
    'masks a %s quoted in an issue',
    (_kind, { text, secret, masked }) => {
      // Act
      const error = new ConfigError([{ path: `SETTING.${text}`, message: `is wrong: ${text}` }]);

      // Assess
      expect(error.message).toBe(`Invalid configuration: SETTING.${masked}: is wrong: ${masked}`);
      expect(error.issues).toEqual([{ path: `SETTING.${masked}`, message: `is wrong: ${masked}` }]);
      expect(error.message).not.toContain(secret);
    },
  );

  it('treats a variable set to an empty string as not set', () => {
    // Act
    const config = parseEnv(Schema, { SNS_TOPIC_ARN: 'arn', RETENTION_DAYS: '', DRY_RUN: ' ' });

    // Assess
    expect(config).toMatchObject({ RETENTION_DAYS: 30, DRY_RUN: false });
    expect(() => parseEnv(Schema, { SNS_TOPIC_ARN: '' })).toThrow(
      'SNS_TOPIC_ARN: is required but not set',
    );
  });

  it.each(['3.5', 'ten', '-', '1e3'])('rejects %j as a whole number', (value) => {
    // Act & Assess
    expect(() => parseEnv(Schema, { SNS_TOPIC_ARN: 'arn', RETENTION_DAYS: value })).toThrow(
      /RETENTION_DAYS/,
    );
  });

  it('reads process.env by default', ({ onTestFinished }) => {
    // Prepare
    const before = process.env.SNS_TOPIC_ARN;
    process.env.SNS_TOPIC_ARN = 'arn:from-env';
    onTestFinished(() => {
      if (before === undefined) delete process.env.SNS_TOPIC_ARN;
      else process.env.SNS_TOPIC_ARN = before;
    });

    // Act & Assess
    expect(parseEnv(Schema).SNS_TOPIC_ARN).toBe('arn:from-env');
  });
});

describe('envJson', () => {
  const Schema = z.object({ ROUTES: envJson(z.array(z.string()), '["a"]') });

  it('parses a JSON document and checks it against its schema', () => {
    expect(parseEnv(Schema, { ROUTES: '["a", "b"]' }).ROUTES).toEqual(['a', 'b']);
    expect(parseEnv(Schema, {}).ROUTES).toBeUndefined();
  });

  it('names the variable and shows an example when the value is not JSON', () => {
    expect(() => parseEnv(Schema, { ROUTES: '[a' })).toThrow(/ROUTES: must be JSON, like \["a"\]/);
  });

  it('names the variable when the JSON does not match the schema', () => {
    expect(() => parseEnv(Schema, { ROUTES: '[1]' })).toThrow(/ROUTES/);
  });
});

describe('parseSettings', () => {
  const SETTINGS = {
    retentionDays: ['RETENTION_DAYS', envInteger({ default: 30, min: 1 })],
    dryRun: ['DRY_RUN', envFlag()],
    topicArn: ['SNS_TOPIC_ARN', z.optional(envString())],
  } as const;

  it('reads each setting from its variable into its own name', () => {
    // Act
    const settings = parseSettings(SETTINGS, { RETENTION_DAYS: '45', DRY_RUN: 'true' });

    // Assess
    expect(settings).toEqual({ retentionDays: 45, dryRun: true, topicArn: undefined });
  });

  it('names every bad variable at once, by its variable name', () => {
    // Act
    const attempt = () => parseSettings(SETTINGS, { RETENTION_DAYS: '0', DRY_RUN: 'maybe' });

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/RETENTION_DAYS: must be at least 1/);
    expect(attempt).toThrow(/DRY_RUN: must be true or false/);
  });
});

describe('parseSettings: why a variable is required', () => {
  const SPEC = {
    queueUrl: ['QUEUE_URL', envString()],
    table: ['TABLE', envString()],
  } as const;

  it('adds the reason given for a missing variable, and only to it', () => {
    // Act
    const attempt = () =>
      parseSettings(
        SPEC,
        { TABLE: ' ' },
        { whyRequired: { QUEUE_URL: 'the queue of the targets' } },
      );

    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      'Invalid configuration: QUEUE_URL: is required but not set (the queue of the targets); TABLE: is required but not set',
    );
  });

  it('says nothing more of a variable that is set', () => {
    // Act & Assess
    expect(
      parseSettings(SPEC, { QUEUE_URL: 'q', TABLE: 't' }, { whyRequired: { QUEUE_URL: 'why' } }),
    ).toEqual({ queueUrl: 'q', table: 't' });
  });
});
