import { describe, expect, it } from 'vitest';
import { resolveDryRun } from '../src/dryRun.ts';

describe('Dry-run resolution', () => {
  it.each([
    [undefined, false, false],
    [false, false, false],
    [true, false, true],
  ])('event %j with DRY_RUN=%j is a dry run: %j', (eventDryRun, configDryRun, expected) => {
    expect(resolveDryRun(eventDryRun, configDryRun)).toBe(expected);
  });

  it.each([undefined, true, false])(
    'with DRY_RUN=true, every run is a dry run, whatever the event says (%j)',
    (eventDryRun) => {
      expect(resolveDryRun(eventDryRun, true)).toBe(true);
    },
  );
});
