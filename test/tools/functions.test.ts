import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isFunctionName,
  listFunctions,
  ManifestError,
  readManifest,
  toResourceName,
} from '../../scripts/lib/functions.ts';

const root = resolve(import.meta.dirname, '../..');

/** A repository holding only functions/<name>/package.json (and a smoke event). */
const repository = (packages: Record<string, Record<string, unknown> | undefined>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-functions-'));
  for (const [name, pkg] of Object.entries(packages)) {
    mkdirSync(join(dir, 'functions', name, 'events'), { recursive: true });
    writeFileSync(join(dir, 'functions', name, 'events', 'smoke.json'), '{}');
    if (pkg) writeFileSync(join(dir, 'functions', name, 'package.json'), JSON.stringify(pkg));
  }
  return dir;
};
const manifest = (name: string, nightshift: Record<string, unknown> = {}) => ({
  name: `@nightshift/${name}`,
  description: `What ${name} does.`,
  nightshift: {
    trigger: 'schedule',
    dryRun: true,
    smokeEvent: 'events/smoke.json',
    metrics: [],
    ...nightshift,
  },
});

describe('The function list', () => {
  it('is every folder with a manifest, sorted, with what each manifest says', () => {
    // Prepare
    const dir = repository({
      'night-report': manifest('night-report', { metrics: ['ReportsSent'] }),
      'day-report': manifest('day-report', { dashboardPeriod: 86_400 }),
      'half-made': undefined,
    });

    // Act
    const functions = listFunctions(dir);

    // Assess
    expect(functions).toEqual([
      {
        name: 'day-report',
        resource: 'DayReport',
        description: 'What day-report does.',
        trigger: 'schedule',
        dryRun: true,
        smokeEvent: 'events/smoke.json',
        metrics: [],
        dashboardPeriod: 86_400,
        fanout: false,
        webhooks: false,
        history: false,
        widgets: [{ title: 'day-report', metrics: [], view: 'timeSeries', stat: 'Sum' }],
      },
      expect.objectContaining({
        name: 'night-report',
        metrics: ['ReportsSent'],
        dashboardPeriod: 3600,
        fanout: false,
      }),
    ]);
  });

  it("takes a manifest's own widgets, each some of its metrics, Sum and a time series unless said", () => {
    // Prepare
    const dir = repository({
      'cost-report': manifest('cost-report', {
        metrics: ['Saved', 'Missing'],
        widgets: [
          { title: 'Saved', metrics: ['Saved'], view: 'bar' },
          { title: 'Missing', metrics: ['Missing'], stat: 'Maximum' },
        ],
      }),
    });

    // Act
    const [fn] = listFunctions(dir);

    // Assess
    expect(fn?.widgets).toEqual([
      { title: 'Saved', metrics: ['Saved'], view: 'bar', stat: 'Sum' },
      { title: 'Missing', metrics: ['Missing'], view: 'timeSeries', stat: 'Maximum' },
    ]);
  });

  it('holds the repository’s functions, each valid', () => {
    const functions = listFunctions(root);
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) expect(readManifest(root, fn.name)).toEqual(fn);
  });

  it.each([
    [{ name: '@nightshift/other' }, /"name" must be "@nightshift\/x-fn"/],
    [{ nightshift: undefined }, /has no "nightshift" manifest/],
    [{ nightshift: { ...manifest('x-fn').nightshift, trigger: 'cron' } }, /trigger must be one of/],
    [
      { nightshift: { ...manifest('x-fn').nightshift, dryRun: 'yes' } },
      /dryRun must be true or false/,
    ],
    [{ nightshift: { ...manifest('x-fn').nightshift, dryRun: false } }, /runsAnyway must say/],
    [
      { nightshift: { ...manifest('x-fn').nightshift, smokeEvent: 'events/none.json' } },
      /smokeEvent must name an event file/,
    ],
    [{ nightshift: { ...manifest('x-fn').nightshift, metrics: [1] } }, /metrics must be a list/],
    [
      { nightshift: { ...manifest('x-fn').nightshift, dashboardPeriod: 90 } },
      /dashboardPeriod must be a whole number of minutes/,
    ],
    [
      { nightshift: { ...manifest('x-fn').nightshift, fanout: 'yes' } },
      /nightshift.fanout must be true or false/,
    ],
    [
      { nightshift: { ...manifest('x-fn').nightshift, widgets: [] } },
      /widgets must be a non-empty/,
    ],
    [
      { nightshift: { ...manifest('x-fn').nightshift, widgets: [{ metrics: [] }] } },
      /widgets\[0\]\.title must be a non-empty string/,
    ],
    [
      {
        nightshift: {
          ...manifest('x-fn').nightshift,
          metrics: ['Sent'],
          widgets: [{ title: 'Sent', metrics: ['Lost'] }],
        },
      },
      /widgets\[0\]\.metrics must name metrics of nightshift.metrics/,
    ],
    [
      {
        nightshift: {
          ...manifest('x-fn').nightshift,
          metrics: ['Sent'],
          widgets: [{ title: 'Sent', metrics: ['Sent'], view: 'pie' }],
        },
      },
      /widgets\[0\]\.view must be one of timeSeries, bar, singleValue/,
    ],
    [
      {
        nightshift: {
          ...manifest('x-fn').nightshift,
          metrics: ['Sent'],
          widgets: [{ title: 'Sent', metrics: ['Sent'], stat: 'p99' }],
        },
      },
      /widgets\[0\]\.stat must be one of Sum, Maximum, Average/,
    ],
  ])('refuses a manifest that says %j, naming its file and field', (override, message) => {
    // Prepare
    const dir = repository({ 'x-fn': { ...manifest('x-fn'), ...override } });

    // Act & Assess
    expect(() => listFunctions(dir)).toThrow(ManifestError);
    expect(() => listFunctions(dir)).toThrow(message);
    expect(() => listFunctions(dir)).toThrow(/^functions\/x-fn\/package\.json: /);
  });

  it('names functions with lower-case words joined by hyphens', () => {
    expect(isFunctionName('cost-reporter')).toBe(true);
    expect(isFunctionName('s3')).toBe(true);
    for (const name of ['Cost', 'cost_reporter', '-cost', 'cost-', '../x', 'cost--x', ''])
      expect(isFunctionName(name), name).toBe(false);
    expect(toResourceName('snapshot-cleanup')).toBe('SnapshotCleanup');
  });
});
