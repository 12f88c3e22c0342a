import { ConfigError, parseSettings } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import { HISTORY_SETTINGS, loadHistorySettings } from '../src/settings.ts';

describe('history settings', () => {
  it('has no table, keeps records 400 days and calls the environment unknown when nothing is set', () => {
    // Act & Assess
    expect(loadHistorySettings({})).toEqual({
      table: undefined,
      retentionDays: 400,
      environment: 'unknown',
    });
    expect(loadHistorySettings({ HISTORY_TABLE: '  ', NIGHTSHIFT_ENVIRONMENT: '' })).toEqual({
      table: undefined,
      retentionDays: 400,
      environment: 'unknown',
    });
  });

  it('reads the table, the retention and the environment', () => {
    // Act & Assess
    expect(
      loadHistorySettings({
        HISTORY_TABLE: ' nightshift-history-staging ',
        HISTORY_RETENTION_DAYS: '30',
        NIGHTSHIFT_ENVIRONMENT: 'staging',
      }),
    ).toEqual({ table: 'nightshift-history-staging', retentionDays: 30, environment: 'staging' });
    expect(parseSettings(HISTORY_SETTINGS, { HISTORY_RETENTION_DAYS: '1' }).retentionDays).toBe(1);
  });

  it.each([
    ['0', /HISTORY_RETENTION_DAYS: must be at least 1/],
    ['-5', /HISTORY_RETENTION_DAYS: must be at least 1/],
    ['a year', /HISTORY_RETENTION_DAYS: must be a whole number/],
    ['1.5', /HISTORY_RETENTION_DAYS: must be a whole number/],
  ])('refuses HISTORY_RETENTION_DAYS=%s with a ConfigError naming it', (value, message) => {
    // Act
    const load = () => loadHistorySettings({ HISTORY_RETENTION_DAYS: value });

    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });
});
