import type { HistoryItem, RunRecord } from '@nightshift/history';
import { describe, expect, it } from 'vitest';
import type { StoppedInterval, Unit } from '../src/model.ts';
import { priceKey } from '../src/pricing.ts';
import {
  deletedSnapshotGiB,
  hoursOnlyNotes,
  stoppedIntervals,
  unitsOf,
  windowSavings,
} from '../src/savings.ts';

// Every expected figure below is worked out by hand in the comment next to it.

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const REGION = 'eu-west-1';

const run = (
  finishedAt: string,
  items: HistoryItem[],
  over: Partial<RunRecord> = {},
): RunRecord => ({
  environment: 'staging',
  account: ACCOUNT,
  region: REGION,
  service: 'infra-scaler',
  startedAt: finishedAt,
  finishedAt,
  dryRun: false,
  counts: { planned: 0, done: items.length, skipped: 0, failed: 0 },
  totals: {},
  items,
  ...over,
});

const done = (
  id: string,
  action: string,
  details: Record<string, string | number | boolean>,
): HistoryItem => ({ list: 'done', id, action, reason: 'schedule', details });

const stop = (id: string, details: Record<string, string | number | boolean> = {}) =>
  done(id, 'stop', { kind: 'instance', instanceType: 't3.micro', ...details });
const start = (id: string, details: Record<string, string | number | boolean> = {}) =>
  done(id, 'start', { kind: 'instance', instanceType: 't3.micro', ...details });

const t3micro: Unit = { service: 'ec2', type: 't3.micro' };
const NOW = new Date('2026-11-30T07:00:00.000Z');
const noSnapshots = new Map<string, number>();

const interval = (over: Partial<StoppedInterval>): StoppedInterval => ({
  account: ACCOUNT,
  region: REGION,
  kind: 'instance',
  id: 'i-1',
  from: '2026-11-29T19:00:00.000Z',
  to: '2026-11-30T07:00:00.000Z',
  ongoing: false,
  units: [t3micro],
  ...over,
});

describe('What a stopped resource bills', () => {
  it('an instance is one EC2 unit of its type', () => {
    expect(unitsOf({ kind: 'instance', instanceType: 't3.micro' })).toEqual([t3micro]);
  });

  it('a Single-AZ database is one RDS unit with its engine', () => {
    expect(
      unitsOf({
        kind: 'db-instance',
        instanceType: 'db.t3.micro',
        engine: 'postgres',
        multiAz: false,
      }),
    ).toEqual([{ service: 'rds', type: 'db.t3.micro', engine: 'postgres' }]);
  });

  it('a Multi-AZ database is two units (the standby is billed too)', () => {
    const unit = { service: 'rds', type: 'db.m5.large', engine: 'mysql' };
    expect(
      unitsOf({ kind: 'db-instance', instanceType: 'db.m5.large', engine: 'mysql', multiAz: true }),
    ).toEqual([unit, unit]);
    expect(
      unitsOf({
        kind: 'db-instance',
        instanceType: 'db.m5.large',
        engine: 'mysql',
        multiAz: 'true',
      }),
    ).toEqual([unit, unit]);
  });

  it("an Aurora cluster is one unit per member, each of the member's class", () => {
    expect(
      unitsOf({
        kind: 'db-cluster',
        engine: 'aurora-postgresql',
        members: 'db.r6g.large, db.r6g.xlarge,db.r6g.large',
      }),
    ).toEqual([
      { service: 'rds', type: 'db.r6g.large', engine: 'aurora-postgresql' },
      { service: 'rds', type: 'db.r6g.xlarge', engine: 'aurora-postgresql' },
      { service: 'rds', type: 'db.r6g.large', engine: 'aurora-postgresql' },
    ]);
  });

  it('a group is one EC2 unit per instance it had', () => {
    expect(
      unitsOf({ kind: 'group', capacity: 3, instanceTypes: 't3.small,t3.small,m5.large' }),
    ).toEqual([
      { service: 'ec2', type: 't3.small' },
      { service: 'ec2', type: 't3.small' },
      { service: 'ec2', type: 'm5.large' },
    ]);
  });

  it('a group without instance types, a resource without a type or kind: no unit (hours only)', () => {
    expect(unitsOf({ kind: 'group', capacity: 2 })).toEqual([]);
    expect(unitsOf({ kind: 'group', capacity: 2, instanceTypes: '' })).toEqual([]);
    expect(unitsOf({ kind: 'instance' })).toEqual([]);
    expect(unitsOf({ kind: 'instance', instanceType: '' })).toEqual([]);
    expect(unitsOf({ kind: 'instance', instanceType: '  ' })).toEqual([]);
    expect(unitsOf({ kind: 'group', instanceTypes: ' , ' })).toEqual([]);
    expect(unitsOf({ kind: 'db-instance', engine: 'postgres', multiAz: true })).toEqual([]);
    expect(unitsOf({ kind: 'db-cluster', engine: 'aurora-mysql' })).toEqual([]);
    expect(unitsOf({ kind: 'volume', instanceType: 't3.micro' })).toEqual([]);
    expect(unitsOf({ instanceType: 't3.micro' })).toEqual([]);
    expect(unitsOf(undefined)).toEqual([]);
  });

  it('a database without an engine is still a unit (the price lookup says it has none)', () => {
    expect(unitsOf({ kind: 'db-instance', instanceType: 'db.t3.micro' })).toEqual([
      { service: 'rds', type: 'db.t3.micro' },
    ]);
  });
});

describe('Stopped intervals from the run history', () => {
  it('a stop opens an interval and the next start closes it', () => {
    const records = [
      run('2026-11-29T19:00:00.000Z', [stop('i-1')]),
      run('2026-11-30T06:30:00.000Z', [start('i-1')]),
    ];
    expect(stoppedIntervals(records, NOW)).toEqual([
      {
        account: ACCOUNT,
        region: REGION,
        kind: 'instance',
        id: 'i-1',
        from: '2026-11-29T19:00:00.000Z',
        to: '2026-11-30T06:30:00.000Z',
        ongoing: false,
        units: [t3micro],
      },
    ]);
  });

  it('records in any order are read in the order they finished', () => {
    const records = [
      run('2026-11-30T06:30:00.000Z', [start('i-1')]),
      run('2026-11-29T19:00:00.000Z', [stop('i-1')]),
    ];
    expect(stoppedIntervals(records, NOW)).toMatchObject([
      { from: '2026-11-29T19:00:00.000Z', to: '2026-11-30T06:30:00.000Z', ongoing: false },
    ]);
  });

  it('a stop with no start yet is ongoing and ends now', () => {
    const records = [run('2026-11-29T19:00:00.000Z', [stop('i-1')])];
    expect(stoppedIntervals(records, NOW)).toMatchObject([
      { id: 'i-1', from: '2026-11-29T19:00:00.000Z', to: NOW.toISOString(), ongoing: true },
    ]);
  });

  it('a start without a stop in the history begins at its stoppedSince', () => {
    const records = [
      run('2026-11-30T06:30:00.000Z', [start('i-1', { stoppedSince: '2026-11-27T19:00:00.000Z' })]),
    ];
    expect(stoppedIntervals(records, NOW)).toEqual([
      interval({ from: '2026-11-27T19:00:00.000Z', to: '2026-11-30T06:30:00.000Z' }),
    ]);
  });

  it('a start without a stop and without a usable stoppedSince is left out', () => {
    const records = [
      run('2026-11-30T06:30:00.000Z', [
        start('i-1'),
        start('i-2', { stoppedSince: 'not a time' }),
        start('i-3', { stoppedSince: '2026-11-30T06:30:00.000Z' }),
        start('i-4', { stoppedSince: '' }),
      ]),
    ];
    expect(stoppedIntervals(records, NOW)).toEqual([]);
  });

  it("an open interval wins over the start's stoppedSince", () => {
    const records = [
      run('2026-11-29T19:00:00.000Z', [stop('i-1')]),
      run('2026-11-30T06:30:00.000Z', [start('i-1', { stoppedSince: '2026-11-20T00:00:00.000Z' })]),
    ];
    expect(stoppedIntervals(records, NOW)).toMatchObject([
      { from: '2026-11-29T19:00:00.000Z', to: '2026-11-30T06:30:00.000Z' },
    ]);
  });

  it('two stop/start cycles of one resource are two intervals', () => {
    const records = [
      run('2026-11-28T19:00:00.000Z', [stop('i-1')]),
      run('2026-11-29T07:00:00.000Z', [start('i-1')]),
      run('2026-11-29T19:00:00.000Z', [stop('i-1')]),
      run('2026-11-30T06:30:00.000Z', [start('i-1')]),
    ];
    expect(stoppedIntervals(records, NOW)).toMatchObject([
      { id: 'i-1', from: '2026-11-28T19:00:00.000Z', to: '2026-11-29T07:00:00.000Z' },
      { id: 'i-1', from: '2026-11-29T19:00:00.000Z', to: '2026-11-30T06:30:00.000Z' },
    ]);
  });

  it('a second stop while stopped ends the first there (started unseen in between) and begins another', () => {
    // 19:00–20:00 (1 h), then 20:00–06:30 (10.5 h) as an m5.large.
    const records = [
      run('2026-11-29T19:00:00.000Z', [stop('i-1')]),
      run('2026-11-29T20:00:00.000Z', [stop('i-1', { instanceType: 'm5.large' })]),
      run('2026-11-30T06:30:00.000Z', [start('i-1')]),
    ];
    expect(stoppedIntervals(records, NOW)).toEqual([
      interval({ from: '2026-11-29T19:00:00.000Z', to: '2026-11-29T20:00:00.000Z' }),
      interval({
        from: '2026-11-29T20:00:00.000Z',
        to: '2026-11-30T06:30:00.000Z',
        units: [{ service: 'ec2', type: 'm5.large' }],
      }),
    ]);
  });

  it("scale_up's unmark (someone started it) ends the stop at that run", () => {
    const records = [
      run('2026-11-29T19:00:00.000Z', [stop('i-1')]),
      run('2026-11-30T06:00:00.000Z', [done('i-1', 'unmark', { kind: 'instance' })]),
    ];
    expect(stoppedIntervals(records, NOW)).toEqual([
      interval({ from: '2026-11-29T19:00:00.000Z', to: '2026-11-30T06:00:00.000Z' }),
    ]);
  });

  it("reconcile's record of a due running ends the stop; a record of a due stopped does not", () => {
    const records = [
      run('2026-11-29T19:00:00.000Z', [stop('i-1'), stop('i-2')]),
      run('2026-11-30T06:00:00.000Z', [
        done('i-1', 'record', { kind: 'instance', due: 'running' }),
        done('i-2', 'record', { kind: 'instance', due: 'stopped' }),
      ]),
    ];
    expect(stoppedIntervals(records, NOW)).toEqual([
      interval({ from: '2026-11-29T19:00:00.000Z', to: '2026-11-30T06:00:00.000Z' }),
      interval({
        id: 'i-2',
        from: '2026-11-29T19:00:00.000Z',
        to: NOW.toISOString(),
        ongoing: true,
      }),
    ]);
  });

  it('an unmark without an open stop is not a start: its stoppedSince counts nothing', () => {
    const records = [
      run('2026-11-30T06:00:00.000Z', [
        done('i-1', 'unmark', { kind: 'instance', stoppedSince: '2026-11-29T19:00:00.000Z' }),
      ]),
    ];
    expect(stoppedIntervals(records, NOW)).toEqual([]);
  });

  it('the same id in two accounts, or in two Regions, is two resources', () => {
    const records = [
      run('2026-11-29T19:00:00.000Z', [stop('i-1')]),
      run('2026-11-29T20:00:00.000Z', [stop('i-1')], { account: OTHER_ACCOUNT }),
      run('2026-11-29T21:00:00.000Z', [stop('i-1')], { region: 'us-east-1' }),
      run('2026-11-30T06:30:00.000Z', [start('i-1')]),
    ];
    const intervals = stoppedIntervals(records, NOW);
    expect(intervals).toEqual([
      interval({ from: '2026-11-29T19:00:00.000Z', to: '2026-11-30T06:30:00.000Z' }),
      interval({
        account: OTHER_ACCOUNT,
        from: '2026-11-29T20:00:00.000Z',
        to: NOW.toISOString(),
        ongoing: true,
      }),
      interval({
        region: 'us-east-1',
        from: '2026-11-29T21:00:00.000Z',
        to: NOW.toISOString(),
        ongoing: true,
      }),
    ]);
  });

  it('the same id as two kinds is two resources', () => {
    const records = [
      run('2026-11-29T19:00:00.000Z', [
        done('web', 'scale to 0', { kind: 'group', instanceTypes: 't3.micro' }),
        done('web', 'stop', { kind: 'db-instance', instanceType: 'db.t3.micro', engine: 'mysql' }),
      ]),
      run('2026-11-30T06:30:00.000Z', [done('web', 'restore', { kind: 'group' })]),
    ];
    expect(stoppedIntervals(records, NOW)).toMatchObject([
      { kind: 'group', to: '2026-11-30T06:30:00.000Z', ongoing: false, units: [t3micro] },
      { kind: 'db-instance', to: NOW.toISOString(), ongoing: true },
    ]);
  });

  it('dry runs, failed and skipped items, other actions and items without a kind are ignored', () => {
    const records = [
      run('2026-11-29T18:00:00.000Z', [stop('i-1')], { dryRun: true }),
      run('2026-11-29T19:00:00.000Z', [
        { ...stop('i-2'), list: 'failed' },
        { ...stop('i-3'), list: 'skipped' },
        done('i-4', 'flag idle', { kind: 'instance', instanceType: 't3.micro' }),
        done('i-5', 'stop', { instanceType: 't3.micro' }),
        done('i-6', 'stop', { kind: 'snapshot' }),
        { list: 'done', id: 'i-7', action: 'stop', reason: 'schedule' },
      ]),
      run('2026-11-30T06:30:00.000Z', [start('i-1')], { dryRun: true }),
    ];
    expect(stoppedIntervals(records, NOW)).toEqual([]);
  });

  it("the interval's facts are the stop's, filled in from the start's", () => {
    const records = [
      run('2026-11-29T19:00:00.000Z', [
        done('db-1', 'stop', { kind: 'db-instance', instanceType: 'db.t3.micro', multiAz: true }),
        done('web', 'scale to 0', { kind: 'group', capacity: 2 }),
      ]),
      run('2026-11-30T06:30:00.000Z', [
        done('db-1', 'start', {
          kind: 'db-instance',
          instanceType: 'db.m5.large',
          engine: 'postgres',
        }),
        done('web', 'restore', { kind: 'group', instanceTypes: 't3.small,t3.small' }),
      ]),
    ];
    const db = { service: 'rds', type: 'db.t3.micro', engine: 'postgres' };
    const small = { service: 'ec2', type: 't3.small' };
    expect(stoppedIntervals(records, NOW)).toMatchObject([
      { id: 'db-1', units: [db, db] },
      { id: 'web', units: [small, small] },
    ]);
  });

  it('an item that is neither a stop nor a start leaves the interval open', () => {
    const records = [
      run('2026-11-29T19:00:00.000Z', [stop('i-1')]),
      run('2026-11-29T23:00:00.000Z', [
        done('i-1', 'flag idle', { kind: 'instance', instanceType: 't3.micro' }),
      ]),
      run('2026-11-30T06:30:00.000Z', [start('i-1')]),
    ];
    expect(stoppedIntervals(records, NOW)).toEqual([
      interval({ from: '2026-11-29T19:00:00.000Z', to: '2026-11-30T06:30:00.000Z' }),
    ]);
  });

  it('closed intervals come out in the order they began, not the order they ended', () => {
    const records = [
      run('2026-11-29T19:00:00.000Z', [stop('i-a')]),
      run('2026-11-29T20:00:00.000Z', [stop('i-b')]),
      run('2026-11-30T06:00:00.000Z', [start('i-b')]),
      run('2026-11-30T06:30:00.000Z', [start('i-a')]),
    ];
    expect(stoppedIntervals(records, NOW).map((each) => each.id)).toEqual(['i-a', 'i-b']);
  });

  it('intervals come out in the order they began', () => {
    const records = [
      run('2026-11-29T19:00:00.000Z', [stop('i-late')]),
      run('2026-11-30T06:30:00.000Z', [
        start('i-early', { stoppedSince: '2026-11-25T19:00:00.000Z' }),
      ]),
    ];
    expect(stoppedIntervals(records, NOW).map((each) => each.id)).toEqual(['i-early', 'i-late']);
  });
});

describe('Notes on resources counted in hours only', () => {
  it('names each resource without units once', () => {
    expect(
      hoursOnlyNotes([
        interval({ kind: 'group', id: 'web', units: [] }),
        interval({ kind: 'group', id: 'web', units: [] }),
        interval({ id: 'i-9', units: [] }),
        interval({ id: 'i-1' }),
      ]),
    ).toEqual([
      `group web in ${REGION} (${ACCOUNT}): instance types unknown, counted in hours only`,
      `instance i-9 in ${REGION} (${ACCOUNT}): type unknown, counted in hours only`,
    ]);
  });
});

describe('Savings over a window', () => {
  const window = { from: '2026-11-29T07:00:00.000Z', to: '2026-11-30T07:00:00.000Z' };
  const prices = new Map([[priceKey(t3micro, REGION), 0.0104]]);

  it('counts partial hours exactly: 10.5 h × $0.0104 = $0.1092', () => {
    // 19:00 → 05:30 is 10 h 30 min.
    const savings = windowSavings(
      [interval({ from: '2026-11-29T19:00:00.000Z', to: '2026-11-30T05:30:00.000Z' })],
      prices,
      window,
      noSnapshots,
      noSnapshots,
    );
    expect(savings).toEqual({
      from: window.from,
      to: window.to,
      resourceHours: 10.5,
      instanceHours: 10.5,
      usd: expect.closeTo(0.1092, 10),
      unpricedInstanceHours: 0,
      snapshotGiBDeleted: 0,
      snapshotUsdPerMonth: 0,
    });
  });

  it("clips an interval that began before the window to the window's start", () => {
    // Stopped from 2026-11-28 19:00; the window starts 2026-11-29 07:00: 07:00 → 09:15 is 2.25 h.
    const savings = windowSavings(
      [interval({ from: '2026-11-28T19:00:00.000Z', to: '2026-11-29T09:15:00.000Z' })],
      prices,
      window,
      noSnapshots,
      noSnapshots,
    );
    expect(savings.resourceHours).toBe(2.25);
    expect(savings.usd).toBeCloseTo(0.0234, 10); // 2.25 × 0.0104
  });

  it("clips an interval that ends after the window to the window's end", () => {
    // 2026-11-30 05:00 → window end 07:00 is 2 h, although it goes on to 09:00.
    const savings = windowSavings(
      [interval({ from: '2026-11-30T05:00:00.000Z', to: '2026-11-30T09:00:00.000Z' })],
      prices,
      window,
      noSnapshots,
      noSnapshots,
    );
    expect(savings.resourceHours).toBe(2);
    expect(savings.usd).toBeCloseTo(0.0208, 10); // 2 × 0.0104
  });

  it('counts an ongoing interval up to its end (now)', () => {
    // Stopped 2026-11-29 19:00, still stopped at 2026-11-30 07:00: 12 h.
    const savings = windowSavings(
      [interval({ from: '2026-11-29T19:00:00.000Z', to: NOW.toISOString(), ongoing: true })],
      prices,
      window,
      noSnapshots,
      noSnapshots,
    );
    expect(savings.resourceHours).toBe(12);
    expect(savings.usd).toBeCloseTo(0.1248, 10); // 12 × 0.0104
  });

  it('an interval wholly outside the window counts nothing', () => {
    const savings = windowSavings(
      [
        interval({ from: '2026-11-28T19:00:00.000Z', to: '2026-11-29T05:00:00.000Z' }),
        interval({ from: '2026-11-30T08:00:00.000Z', to: '2026-11-30T09:00:00.000Z' }),
        interval({ from: '2026-11-28T19:00:00.000Z', to: '2026-11-29T07:00:00.000Z' }),
        interval({ from: '2026-11-30T07:00:00.000Z', to: '2026-11-30T09:00:00.000Z' }),
      ],
      prices,
      window,
      noSnapshots,
      noSnapshots,
    );
    expect(savings).toMatchObject({ resourceHours: 0, instanceHours: 0, usd: 0 });
  });

  it('a Multi-AZ database stopped 10 h is 10 resource-hours and 20 instance-hours', () => {
    const db: Unit = { service: 'rds', type: 'db.m5.large', engine: 'postgres' };
    const savings = windowSavings(
      [
        interval({
          kind: 'db-instance',
          id: 'db-1',
          from: '2026-11-29T20:00:00.000Z',
          to: '2026-11-30T06:00:00.000Z',
          units: [db, db],
        }),
      ],
      new Map([[priceKey(db, REGION), 0.178]]),
      window,
      noSnapshots,
      noSnapshots,
    );
    expect(savings.resourceHours).toBe(10);
    expect(savings.instanceHours).toBe(20);
    expect(savings.usd).toBeCloseTo(3.56, 10); // 20 × 0.178
  });

  it('an Aurora cluster prices each member at its own class', () => {
    const large: Unit = { service: 'rds', type: 'db.r6g.large', engine: 'aurora-postgresql' };
    const xlarge: Unit = { service: 'rds', type: 'db.r6g.xlarge', engine: 'aurora-postgresql' };
    const savings = windowSavings(
      [
        interval({
          kind: 'db-cluster',
          id: 'cluster-1',
          from: '2026-11-29T21:00:00.000Z',
          to: '2026-11-30T05:00:00.000Z',
          units: [large, xlarge],
        }),
      ],
      new Map([
        [priceKey(large, REGION), 0.26],
        [priceKey(xlarge, REGION), 0.52],
      ]),
      window,
      noSnapshots,
      noSnapshots,
    );
    // 8 h: 8 × 0.26 + 8 × 0.52 = 2.08 + 4.16 = 6.24
    expect(savings).toMatchObject({ resourceHours: 8, instanceHours: 16 });
    expect(savings.usd).toBeCloseTo(6.24, 10);
  });

  it('a group prices one unit per instance type; a group without types counts hours only', () => {
    const small: Unit = { service: 'ec2', type: 't3.small' };
    const large: Unit = { service: 'ec2', type: 'm5.large' };
    const savings = windowSavings(
      [
        interval({
          kind: 'group',
          id: 'web',
          from: '2026-11-29T19:00:00.000Z',
          to: '2026-11-30T05:00:00.000Z',
          units: [small, small, large],
        }),
        interval({
          kind: 'group',
          id: 'batch',
          from: '2026-11-29T19:00:00.000Z',
          to: '2026-11-30T05:00:00.000Z',
          units: [],
        }),
      ],
      new Map([
        [priceKey(small, REGION), 0.0208],
        [priceKey(large, REGION), 0.096],
      ]),
      window,
      noSnapshots,
      noSnapshots,
    );
    // web: 10 h × (0.0208 + 0.0208 + 0.096) = 10 × 0.1376 = 1.376; batch: 10 resource-hours only.
    expect(savings).toMatchObject({
      resourceHours: 20,
      instanceHours: 30,
      unpricedInstanceHours: 0,
    });
    expect(savings.usd).toBeCloseTo(1.376, 10);
  });

  it('units without a price go to unpricedInstanceHours; usd is of the priced ones only', () => {
    const db: Unit = { service: 'rds', type: 'db.t3.micro', engine: 'oracle-ee' };
    const savings = windowSavings(
      [
        interval({ from: '2026-11-29T19:00:00.000Z', to: '2026-11-30T05:30:00.000Z' }),
        interval({
          kind: 'db-instance',
          id: 'db-1',
          from: '2026-11-29T20:00:00.000Z',
          to: '2026-11-30T06:00:00.000Z',
          units: [db, db],
        }),
      ],
      prices,
      window,
      noSnapshots,
      noSnapshots,
    );
    // i-1: 10.5 h priced (0.1092); db-1: 10 h × 2 units unpriced = 20.
    expect(savings).toMatchObject({
      resourceHours: 20.5,
      instanceHours: 30.5,
      unpricedInstanceHours: 20,
    });
    expect(savings.usd).toBeCloseTo(0.1092, 10);
  });

  it("prices a unit with its own Region's price", () => {
    const savings = windowSavings(
      [
        interval({ from: '2026-11-29T20:00:00.000Z', to: '2026-11-30T06:00:00.000Z' }),
        interval({
          region: 'us-east-1',
          from: '2026-11-29T20:00:00.000Z',
          to: '2026-11-30T06:00:00.000Z',
        }),
      ],
      new Map([
        [priceKey(t3micro, REGION), 0.0114],
        [priceKey(t3micro, 'us-east-1'), 0.0104],
      ]),
      window,
      noSnapshots,
      noSnapshots,
    );
    // 10 × 0.0114 + 10 × 0.0104 = 0.114 + 0.104 = 0.218
    expect(savings.usd).toBeCloseTo(0.218, 10);
  });

  it('snapshot GiB deleted × the snapshot price per Region is what they would cost a month', () => {
    const savings = windowSavings(
      [],
      prices,
      window,
      new Map([
        [REGION, 120],
        ['us-east-1', 30],
      ]),
      new Map([
        [REGION, 0.05],
        ['us-east-1', 0.05],
      ]),
    );
    // (120 + 30) GiB × $0.05 = $7.50
    expect(savings.snapshotGiBDeleted).toBe(150);
    expect(savings.snapshotUsdPerMonth).toBeCloseTo(7.5, 10);
  });

  it('without the snapshot price of a Region that deleted some, no snapshot estimate', () => {
    const savings = windowSavings(
      [],
      prices,
      window,
      new Map([
        [REGION, 120],
        ['us-east-1', 30],
      ]),
      new Map([[REGION, 0.05]]),
    );
    expect(savings.snapshotGiBDeleted).toBe(150);
    expect(savings).not.toHaveProperty('snapshotUsdPerMonth');
  });

  it('without the snapshot price of the first Region, no snapshot estimate either', () => {
    const savings = windowSavings(
      [],
      prices,
      window,
      new Map([
        ['us-east-1', 30],
        [REGION, 120],
      ]),
      new Map([[REGION, 0.05]]),
    );
    expect(savings).not.toHaveProperty('snapshotUsdPerMonth');
  });

  it('a Region that deleted nothing needs no snapshot price', () => {
    const savings = windowSavings(
      [],
      prices,
      window,
      new Map([
        [REGION, 120],
        ['us-east-1', 0],
      ]),
      new Map([[REGION, 0.055]]),
    );
    expect(savings.snapshotUsdPerMonth).toBeCloseTo(6.6, 10); // 120 × 0.055
  });
});

describe('Snapshot GiB deleted in a window', () => {
  const window = { from: '2026-11-29T07:00:00.000Z', to: '2026-11-30T07:00:00.000Z' };
  const cleanup = (finishedAt: string, gib: number, over: Partial<RunRecord> = {}) =>
    run(finishedAt, [], { service: 'snapshot-cleanup', totals: { sourceVolumeGiB: gib }, ...over });

  it('adds up sourceVolumeGiB of the snapshot-cleanup runs (not dry runs) finished in the window, per Region', () => {
    const records = [
      cleanup('2026-11-29T07:00:00.000Z', 100),
      cleanup('2026-11-30T03:00:00.000Z', 20),
      cleanup('2026-11-30T03:00:00.000Z', 30, { region: 'us-east-1' }),
      cleanup('2026-11-29T06:59:59.999Z', 1000),
      cleanup('2026-11-30T07:00:00.000Z', 1000),
      cleanup('2026-11-30T03:00:00.000Z', 1000, { dryRun: true }),
      cleanup('2026-11-30T03:00:00.000Z', 1000, { service: 'backup-manager' }),
      run('2026-11-30T03:00:00.000Z', [], { service: 'snapshot-cleanup', totals: {} }),
    ];
    expect(deletedSnapshotGiB(records, window)).toEqual(
      new Map([
        [REGION, 120],
        ['us-east-1', 30],
      ]),
    );
  });
});
