import { resolve } from 'node:path';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client, StartInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateDBInstanceCommand, ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { getClient } from '@nightshift/runtime';
import { invokeBundle, subscribeQueue } from '@nightshift/testing';
import { describe, expect, it } from 'vitest';
import { toTags } from './scenarios/ec2.ts';
import {
  DAY_MS,
  entryOf,
  isLastAction,
  lastAction,
  linesOf,
  periodFrom,
  putCpu,
  type ReconcileReport,
  reportOf,
  scheduleDue,
  schedulesText,
  seeCluster,
  seeDatabase,
  seedCluster,
  seedDatabase,
  seedGroup,
  seedInstance,
  seeGroup,
  seeInstance,
  seeInstances,
  TAG,
  tagInstances,
  unique,
  wallClock,
} from './scenarios/reconcile.ts';

const bundle = resolve(import.meta.dirname, '../../dist/infra-scaler/index.mjs');
const invoke = (event: object, env: Record<string, string> = {}) =>
  invokeBundle<ReconcileReport>(bundle, event, { functionName: 'infra-scaler', env });

/** A reconcile run with `schedules` as SCHEDULES (a document's schedules, or raw text). */
const reconcile = (
  schedules: Record<string, unknown> | string,
  { dryRun, env = {} }: { dryRun?: boolean; env?: Record<string, string> } = {},
) =>
  invoke(
    { action: 'reconcile', ...(dryRun === undefined ? {} : { dryRun }) },
    {
      SCHEDULES: typeof schedules === 'string' ? schedules : schedulesText(schedules),
      ...env,
    },
  );

const clients = () => ({
  ec2: getClient(EC2Client),
  autoscaling: getClient(AutoScalingClient),
  rds: getClient(RDSClient),
  cloudwatch: getClient(CloudWatchClient),
});

describe('infra-scaler reconcile against the emulated account', () => {
  it('acts on the first run: stops what is due stopped, starts what is due running, records what is already there', async () => {
    // Prepare
    const { ec2 } = clients();
    const now = new Date();
    const [day, night] = [unique('day'), unique('night')];
    const schedules = { [day]: scheduleDue('running', now), [night]: scheduleDue('stopped', now) };
    const toStop = await seedInstance(ec2, { [TAG.schedule]: night });
    const toStart = await seedInstance(ec2, { [TAG.schedule]: day }, { stopped: true });
    // The tag value is read trimmed.
    const running = await seedInstance(ec2, { [TAG.schedule]: ` ${day} ` });
    const unscheduled = await seedInstance(ec2, { Name: 'not on a schedule' });

    // Act
    const before = new Date();
    const { result, error, logs } = await reconcile(schedules);
    const after = new Date();

    // Assess
    expect(error).toBeUndefined();
    const seen = await seeInstances(ec2, [toStop, toStart, running, unscheduled]);
    expect(seen.get(toStop)?.state).toBe('stopped');
    expect(seen.get(toStart)?.state).toBe('running');
    expect(seen.get(running)?.state).toBe('running');
    expect(seen.get(unscheduled)).toEqual({
      state: 'running',
      tags: { Name: 'not on a schedule' },
    });
    // nightshift:last-action says what Nightshift handled and when, in the console.
    expect(isLastAction(seen.get(toStop)?.tags[TAG.lastAction], 'stop', before, after)).toBe(true);
    expect(isLastAction(seen.get(toStart)?.tags[TAG.lastAction], 'start', before, after)).toBe(
      true,
    );
    expect(isLastAction(seen.get(running)?.tags[TAG.lastAction], 'start', before, after)).toBe(
      true,
    );
    const report = result as ReconcileReport;
    expect(entryOf(report, 'done', toStop)?.action).toBe('stop');
    expect(entryOf(report, 'done', toStart)).toMatchObject({ action: 'start' });
    expect(entryOf(report, 'done', running)?.action).toBe('record');
    expect(entryOf(report, 'planned', toStop)).toMatchObject({
      reason: expect.stringMatching(/^due stopped: outside every period \(UTC\)/),
      details: { kind: 'instance', schedule: night, due: 'stopped' },
    });
    expect(linesOf(report, unscheduled)).toEqual([]);
    expect(report.failed).toEqual([]);
    expect(logs.find((line) => 'InstancesStopped' in line)).toMatchObject({
      InstancesStopped: 1,
      InstancesStarted: 1,
    });
  });

  it('acts only on transitions: a person who starts an instance after the stop is left alone until the due state changes', async () => {
    // Prepare
    const { ec2 } = clients();
    const now = new Date();
    const name = unique('office');
    const evening = { [name]: scheduleDue('stopped', now) };
    const morning = { [name]: scheduleDue('running', now) };
    const id = await seedInstance(ec2, { [TAG.schedule]: name });

    // Act: the stop; a person starts it again; the next run in the same evening.
    const stop = await reconcile(evening);
    const stopped = await seeInstance(ec2, id);
    await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    const again = await reconcile(evening);
    const leftRunning = await seeInstance(ec2, id);
    // The due state changes (morning), then changes back (evening): each change is acted on.
    const morningRun = await reconcile(morning);
    const inMorning = await seeInstance(ec2, id);
    const nextEvening = await reconcile(evening);

    // Assess
    for (const { error } of [stop, again, morningRun, nextEvening]) expect(error).toBeUndefined();
    expect(stopped.state).toBe('stopped');
    expect(leftRunning.state).toBe('running');
    expect(leftRunning.tags[TAG.lastAction]).toBe(stopped.tags[TAG.lastAction]);
    expect(linesOf(reportOf(again), id)).toEqual([
      expect.stringMatching(/^skipped: leave: running although due stopped: .*changed by a person/),
    ]);
    // Already running in the morning: the transition is recorded, nothing else.
    expect(inMorning.state).toBe('running');
    expect(inMorning.tags[TAG.lastAction]).toMatch(/^start@/);
    expect(entryOf(reportOf(morningRun), 'done', id)?.action).toBe('record');
    expect((await seeInstance(ec2, id)).state).toBe('stopped');
    expect(entryOf(reportOf(nextEvening), 'done', id)?.action).toBe('stop');
  });

  it('restores the due state on every run when the schedule is enforced', async () => {
    // Prepare
    const { ec2 } = clients();
    const now = new Date();
    const name = unique('enforced');
    const schedules = { [name]: scheduleDue('stopped', now, { enforced: true }) };
    // Nightshift stopped it yesterday; a person started it since.
    const id = await seedInstance(ec2, {
      [TAG.schedule]: name,
      [TAG.lastAction]: lastAction('stop', new Date(now.getTime() - DAY_MS)),
    });

    // Act
    const first = await reconcile(schedules);
    const afterFirst = (await seeInstance(ec2, id)).state;
    await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    const second = await reconcile(schedules);

    // Assess
    expect(first.error).toBeUndefined();
    expect(second.error).toBeUndefined();
    expect(afterFirst).toBe('stopped');
    expect((await seeInstance(ec2, id)).state).toBe('stopped');
    expect(entryOf(reportOf(second), 'done', id)?.action).toBe('stop');
  });

  it('announces the stops due within the notice window beside the report', async () => {
    // Prepare
    const { ec2 } = clients();
    const now = new Date();
    const timezone = 'Asia/Kolkata';
    const [soon, later] = [unique('soon'), unique('later')];
    const schedules = {
      // Due running, its stop 10 minutes away (default notice: 30 minutes).
      [soon]: { timezone, periods: [periodFrom(now, timezone, -2, 10 / 60)] },
      // Due running, its stop 2 hours away.
      [later]: scheduleDue('running', now, { timezone }),
    };
    const stopsSoon = await seedInstance(ec2, { [TAG.schedule]: soon });
    await seedInstance(ec2, { [TAG.schedule]: later });
    const stopAt = wallClock(new Date(now.getTime() + 10 * 60_000), timezone);

    // Act
    const { result, error, logs } = await reconcile(schedules);

    // Assess
    expect(error).toBeUndefined();
    expect((await seeInstance(ec2, stopsSoon)).state).toBe('running');
    expect(result?.headsUp).toEqual([
      expect.objectContaining({
        schedule: soon,
        timezone,
        localStopAt: `${stopAt.date} ${stopAt.hhmm}`,
        resources: [{ kind: 'instance', id: stopsSoon }],
      }),
    ]);
    expect(result?.notes).toContain(
      `heads-up: ${soon} stops ${stopsSoon} at ${stopAt.date} ${stopAt.hhmm} (${timezone})`,
    );
    expect(logs.filter((line) => line.message === 'Heads-up')).toHaveLength(1);
  });

  it('leaves a snoozed resource alone until the snooze passes, then removes the tag and applies the schedule', async () => {
    // Prepare
    const { ec2 } = clients();
    const now = new Date();
    const name = unique('snooze');
    const schedules = { [name]: scheduleDue('stopped', now) };
    const snoozed = await seedInstance(ec2, {
      [TAG.schedule]: name,
      [TAG.snoozeUntil]: new Date(now.getTime() + 3_600_000).toISOString(),
    });
    // Snoozed over the evening's transition (started by Nightshift this morning): once the
    // snooze has passed, the transition that fell inside it is acted on.
    const expired = await seedInstance(ec2, {
      [TAG.schedule]: name,
      [TAG.snoozeUntil]: new Date(now.getTime() - 60_000).toISOString(),
      [TAG.lastAction]: lastAction('start', new Date(now.getTime() - 10 * 3_600_000)),
    });
    // Already stopped by Nightshift, snooze passed: only the tag comes off.
    const clearOnly = await seedInstance(
      ec2,
      {
        [TAG.schedule]: name,
        [TAG.snoozeUntil]: new Date(now.getTime() - 60_000).toISOString(),
        [TAG.lastAction]: lastAction('stop', new Date(now.getTime() - 3 * 3_600_000)),
      },
      { stopped: true },
    );

    // Act
    const { result, error } = await reconcile(schedules);

    // Assess
    expect(error).toBeUndefined();
    const seen = await seeInstances(ec2, [snoozed, expired, clearOnly]);
    expect(seen.get(snoozed)?.state).toBe('running');
    expect(seen.get(snoozed)?.tags[TAG.snoozeUntil]).toBeDefined();
    expect(seen.get(expired)?.state).toBe('stopped');
    expect(seen.get(expired)?.tags[TAG.snoozeUntil]).toBeUndefined();
    expect(seen.get(expired)?.tags[TAG.lastAction]).toMatch(/^stop@/);
    expect(seen.get(clearOnly)?.state).toBe('stopped');
    expect(seen.get(clearOnly)?.tags[TAG.snoozeUntil]).toBeUndefined();
    const report = result as ReconcileReport;
    expect(linesOf(report, snoozed)).toEqual([
      expect.stringMatching(/^skipped: leave: snoozed until /),
    ]);
    expect(entryOf(report, 'done', expired)?.action).toBe('stop');
    expect(entryOf(report, 'done', clearOnly)?.action).toBe('clear snooze');
  });

  it('stops what is due running on a holiday of its schedule, today in its time zone', async () => {
    // Prepare
    const { ec2 } = clients();
    const now = new Date();
    const name = unique('holiday');
    const timezone = 'Europe/Berlin';
    const today = wallClock(now, timezone).date;
    const schedules = {
      [name]: scheduleDue('running', now, { timezone, holidays: ['2020-01-01', today] }),
      // The same period without the holiday: due running.
      [`${name}-workday`]: scheduleDue('running', now, { timezone }),
    };
    const onHoliday = await seedInstance(ec2, { [TAG.schedule]: name });
    const onWorkday = await seedInstance(ec2, { [TAG.schedule]: `${name}-workday` });

    // Act
    const { result, error } = await reconcile(schedules);

    // Assess
    expect(error).toBeUndefined();
    const seen = await seeInstances(ec2, [onHoliday, onWorkday]);
    expect(seen.get(onHoliday)?.state).toBe('stopped');
    expect(seen.get(onWorkday)?.state).toBe('running');
    expect(entryOf(result as ReconcileReport, 'planned', onHoliday)?.reason).toBe(
      `due stopped: holiday ${today} (${timezone})`,
    );
  });

  it('reads the periods on the wall clock of the schedule time zone, not UTC', async () => {
    // Prepare
    const { ec2 } = clients();
    const now = new Date();
    const [east, west] = [unique('kiritimati'), unique('new-york')];
    const schedules = {
      // 2 hours inside the period in Kiritimati (UTC+14), 10 hours outside it in UTC.
      [east]: scheduleDue('running', now, { timezone: 'Pacific/Kiritimati' }),
      // 2 hours inside the period in UTC, 2 to 3 hours outside it in New York.
      [west]: { timezone: 'America/New_York', periods: [periodFrom(now, 'UTC', -2, 2)] },
    };
    const toStart = await seedInstance(ec2, { [TAG.schedule]: east }, { stopped: true });
    const toStop = await seedInstance(ec2, { [TAG.schedule]: west });

    // Act
    const { result, error } = await reconcile(schedules);

    // Assess
    expect(error).toBeUndefined();
    const seen = await seeInstances(ec2, [toStart, toStop]);
    expect(seen.get(toStart)?.state).toBe('running');
    expect(seen.get(toStop)?.state).toBe('stopped');
    const report = result as ReconcileReport;
    expect(entryOf(report, 'planned', toStart)?.reason).toMatch(
      /^due running: inside every day .* \(Pacific\/Kiritimati\)/,
    );
    expect(entryOf(report, 'planned', toStop)?.reason).toBe(
      'due stopped: outside every period (America/New_York)',
    );
  });

  it('scales Auto Scaling groups to 0 saving their sizes and restores them, never their instances one by one', async () => {
    // Prepare
    const { ec2, autoscaling } = clients();
    const now = new Date();
    const [day, night] = [unique('day'), unique('night')];
    const schedules = { [day]: scheduleDue('running', now), [night]: scheduleDue('stopped', now) };
    const toEmpty = unique('web');
    await seedGroup(
      autoscaling,
      toEmpty,
      { min: 2, max: 5, desired: 3 },
      { [TAG.schedule]: night },
    );
    const toRestore = unique('api');
    await seedGroup(
      autoscaling,
      toRestore,
      { min: 0, max: 4, desired: 0 },
      { [TAG.schedule]: day, [TAG.savedSize]: 'min=1,max=4,desired=2' },
    );
    const unsized = unique('batch');
    await seedGroup(autoscaling, unsized, { min: 0, max: 3, desired: 0 }, { [TAG.schedule]: day });
    const members = (await seeGroup(autoscaling, toEmpty)).instanceIds;
    // The members carry the schedule tag too (propagated at launch).
    const membersBefore = await seeInstances(ec2, members);

    // Act
    const { result, error } = await reconcile(schedules);

    // Assess
    expect(error).toBeUndefined();
    expect(members).toHaveLength(3);
    for (const id of members) expect(membersBefore.get(id)?.tags[TAG.schedule]).toBe(night);
    const emptied = await seeGroup(autoscaling, toEmpty);
    expect(emptied.state).toBe('0/5/0');
    expect(emptied.tags[TAG.savedSize]).toBe('min=2,max=5,desired=3');
    expect(emptied.tags[TAG.lastAction]).toMatch(/^stop@/);
    const restored = await seeGroup(autoscaling, toRestore);
    expect(restored.state).toBe('1/4/2');
    expect(restored.tags[TAG.savedSize]).toBeUndefined();
    expect(restored.tags[TAG.lastAction]).toMatch(/^start@/);
    expect((await seeGroup(autoscaling, unsized)).state).toBe('0/3/0');
    const report = result as ReconcileReport;
    expect(entryOf(report, 'done', toEmpty)?.action).toBe('stop');
    expect(entryOf(report, 'done', toRestore)?.action).toBe('start');
    expect(linesOf(report, unsized)).toEqual([
      expect.stringMatching(/^skipped: leave: .*no saved sizes \(nightshift:saved-size\)/),
    ]);
    for (const id of members)
      expect(linesOf(report, id)).toEqual([
        `skipped: leave: handled through its Auto Scaling group ${toEmpty}`,
      ]);
    expect(result?.totals).toMatchObject({ scheduledResources: 3 + members.length });
  });

  it('stops and starts RDS DB instances and Aurora clusters, leaving cluster members to their cluster', async () => {
    // Prepare
    const { rds } = clients();
    const now = new Date();
    const [day, night] = [unique('day'), unique('night')];
    const schedules = { [day]: scheduleDue('running', now), [night]: scheduleDue('stopped', now) };
    const [dbToStop, dbToStart] = [unique('db-stop'), unique('db-start')];
    const [clusterToStop, clusterToStart] = [unique('aurora-stop'), unique('aurora-start')];
    await seedDatabase(rds, dbToStop, { [TAG.schedule]: night });
    await seedDatabase(rds, dbToStart, { [TAG.schedule]: day }, { stopped: true });
    await seedCluster(rds, clusterToStop, { [TAG.schedule]: night });
    await seedCluster(rds, clusterToStart, { [TAG.schedule]: day }, { stopped: true });
    const member = `${clusterToStop}-1`;
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: member,
        DBClusterIdentifier: clusterToStop,
        Engine: 'aurora-postgresql',
        DBInstanceClass: 'db.r6g.large',
        Tags: toTags({ [TAG.schedule]: night }),
      }),
    );

    // Act
    const { result, error, logs } = await reconcile(schedules);

    // Assess
    expect(error).toBeUndefined();
    const [a, b, c, d] = await Promise.all([
      seeDatabase(rds, dbToStop),
      seeDatabase(rds, dbToStart),
      seeCluster(rds, clusterToStop),
      seeCluster(rds, clusterToStart),
    ]);
    expect([a.state, b.state, c.state, d.state]).toEqual([
      'stopped',
      'available',
      'stopped',
      'available',
    ]);
    expect([a, b, c, d].map((seen) => seen.tags[TAG.lastAction]?.split('@')[0])).toEqual([
      'stop',
      'start',
      'stop',
      'start',
    ]);
    const report = result as ReconcileReport;
    expect(entryOf(report, 'planned', clusterToStop)?.details).toMatchObject({
      kind: 'db-cluster',
    });
    expect(entryOf(report, 'planned', dbToStart)?.details).toMatchObject({ kind: 'db-instance' });
    expect(linesOf(report, member)).toEqual([
      `skipped: leave: handled through its Aurora cluster ${clusterToStop}`,
    ]);
    expect(logs.find((line) => 'DatabasesStopped' in line)).toMatchObject({
      DatabasesStopped: 2,
      DatabasesStarted: 2,
    });
  });

  it('changes nothing in a dry run, tags included, and says what it would do', async () => {
    // Prepare
    const { ec2, autoscaling, rds } = clients();
    const now = new Date();
    const [day, night] = [unique('day'), unique('night')];
    const schedules = { [day]: scheduleDue('running', now), [night]: scheduleDue('stopped', now) };
    const toStop = await seedInstance(ec2, { [TAG.schedule]: night });
    const toStart = await seedInstance(ec2, { [TAG.schedule]: day }, { stopped: true });
    const toRecord = await seedInstance(ec2, { [TAG.schedule]: day });
    const snoozePassed = await seedInstance(ec2, {
      [TAG.schedule]: night,
      [TAG.snoozeUntil]: new Date(now.getTime() - 60_000).toISOString(),
    });
    const group = unique('web');
    await seedGroup(autoscaling, group, { min: 1, max: 2, desired: 1 }, { [TAG.schedule]: night });
    const database = unique('db');
    await seedDatabase(rds, database, { [TAG.schedule]: night });
    const cluster = unique('aurora');
    await seedCluster(rds, cluster, { [TAG.schedule]: day }, { stopped: true });
    const instances = [toStop, toStart, toRecord, snoozePassed];
    const everything = async () => ({
      instances: Object.fromEntries(await seeInstances(ec2, instances)),
      group: await seeGroup(autoscaling, group),
      database: await seeDatabase(rds, database),
      cluster: await seeCluster(rds, cluster),
    });
    const before = await everything();

    // Act
    const byEvent = await reconcile(schedules, { dryRun: true });
    const byLock = await reconcile(schedules, { dryRun: false, env: { DRY_RUN: 'true' } });

    // Assess
    for (const { result, error } of [byEvent, byLock]) {
      expect(error).toBeUndefined();
      expect(result?.dryRun).toBe(true);
      expect(result?.done).toEqual([]);
      expect(
        Object.fromEntries((result?.planned ?? []).map((entry) => [entry.id, entry.action])),
      ).toEqual({
        [toStop]: 'stop',
        [toStart]: 'start',
        [toRecord]: 'record',
        [snoozePassed]: 'stop',
        [group]: 'stop',
        [database]: 'stop',
        [cluster]: 'start',
      });
    }
    expect(await everything()).toEqual(before);
  });

  it('fails a run with a bad schedules document with a ValidationError naming the path, and changes nothing', async () => {
    // Prepare
    const { ec2 } = clients();
    const now = new Date();
    const id = await seedInstance(ec2, { [TAG.schedule]: 'office-hours' });
    const before = await seeInstance(ec2, id);
    const period = periodFrom(now, 'UTC', -4, -2);
    const bad: [string, RegExp][] = [
      [
        schedulesText({ 'office-hours': { timezone: 'Europe/Atlantis', periods: [period] } }),
        /^Invalid schedules document: .*schedules\.office-hours\.timezone: must be an IANA time zone name/,
      ],
      ['{"schedules": {"office-hours": ', /^Invalid schedules document: \(root\): must be JSON: /],
      [
        schedulesText({ 'office-hours': { periods: [{ ...period, days: ['mon', 'fry'] }] } }),
        /schedules\.office-hours\.periods\[0\]\.days\[1\]: must be one of mon, tue/,
      ],
      [
        schedulesText({ 'office-hours': { periods: [{ start: '25:00', stop: '07:00' }] } }),
        /schedules\.office-hours\.periods\[0\]\.start: start must be a time of day/,
      ],
    ];

    for (const [text, message] of bad) {
      // Act
      const { error, logs } = await reconcile(text);

      // Assess
      expect(error?.name).toBe('ValidationError');
      expect(error?.message).toMatch(message);
      expect(logs.find((line) => 'InstancesStopped' in line)).toBeUndefined();
    }
    expect(await seeInstance(ec2, id)).toEqual(before);
    expect(before.state).toBe('running');
  });

  it('reads the schedules document from the SSM parameter SCHEDULES_PARAMETER names', async () => {
    // Prepare
    const { ec2 } = clients();
    const ssm = getClient(SSMClient);
    const now = new Date();
    const name = unique('night');
    const parameter = `/nightshift/${unique('schedules')}`;
    await ssm.send(
      new PutParameterCommand({
        Name: parameter,
        Type: 'String',
        Value: schedulesText({ [name]: scheduleDue('stopped', now) }),
      }),
    );
    const id = await seedInstance(ec2, { [TAG.schedule]: name });
    const missing = `/nightshift/${unique('absent')}`;

    // Act
    const absent = await invoke({ action: 'reconcile' }, { SCHEDULES_PARAMETER: missing });
    const afterAbsent = (await seeInstance(ec2, id)).state;
    const { error } = await invoke({ action: 'reconcile' }, { SCHEDULES_PARAMETER: parameter });

    // Assess
    expect(absent.error?.name).toBe('ValidationError');
    expect(absent.error?.message).toContain(`SCHEDULES_PARAMETER: the SSM parameter ${missing}`);
    expect(afterAbsent).toBe('running');
    expect(error).toBeUndefined();
    expect((await seeInstance(ec2, id)).state).toBe('stopped');
  });

  it('defers the stop of a busy instance and stops it anyway once maxDeferMinutes have passed', async () => {
    // Prepare
    const { ec2, cloudwatch } = clients();
    const now = new Date();
    const [patient, impatient] = [unique('patient'), unique('impatient')];
    const busy = { cpuPercent: 40, minutes: 10 };
    const schedules = {
      // Stopped since 2 hours ago: within 1440 minutes of deferring, past 0.
      [patient]: scheduleDue('stopped', now, { busy: { ...busy, maxDeferMinutes: 1440 } }),
      [impatient]: scheduleDue('stopped', now, { busy: { ...busy, maxDeferMinutes: 0 } }),
    };
    const busyOne = await seedInstance(ec2, { [TAG.schedule]: patient });
    const idleOne = await seedInstance(ec2, { [TAG.schedule]: patient });
    const noData = await seedInstance(ec2, { [TAG.schedule]: patient });
    const busyPastDefer = await seedInstance(ec2, { [TAG.schedule]: impatient });
    await putCpu(cloudwatch, busyOne, 95);
    await putCpu(cloudwatch, idleOne, 5);
    await putCpu(cloudwatch, busyPastDefer, 95);

    // Act
    const { result, error } = await reconcile(schedules);

    // Assess
    expect(error).toBeUndefined();
    const seen = await seeInstances(ec2, [busyOne, idleOne, noData, busyPastDefer]);
    expect(seen.get(busyOne)?.state).toBe('running');
    expect(seen.get(busyOne)?.tags[TAG.lastAction]).toBeUndefined();
    expect(seen.get(idleOne)?.state).toBe('stopped');
    expect(seen.get(noData)?.state).toBe('stopped');
    expect(seen.get(busyPastDefer)?.state).toBe('stopped');
    const report = result as ReconcileReport;
    expect(linesOf(report, busyOne)).toEqual([
      expect.stringMatching(
        /^skipped: leave: busy: CPU maximum 95(\.0)?% over the last 10 minutes is above 40%; stop deferred/,
      ),
    ]);
    expect(entryOf(report, 'planned', busyPastDefer)?.reason).toMatch(/busy.*anyway/);
  });

  it('starts in ascending nightshift:order and stops in descending order', async () => {
    // Prepare
    const { ec2, rds } = clients();
    const now = new Date();
    const [day, night] = [unique('day'), unique('night')];
    const schedules = { [day]: scheduleDue('running', now), [night]: scheduleDue('stopped', now) };
    const morningDb = unique('db-morning');
    await seedDatabase(
      rds,
      morningDb,
      { [TAG.schedule]: day, [TAG.order]: '1' },
      { stopped: true },
    );
    const morningApp = await seedInstance(
      ec2,
      { [TAG.schedule]: day, [TAG.order]: '2' },
      { stopped: true },
    );
    const nightDb = unique('db-night');
    await seedDatabase(rds, nightDb, { [TAG.schedule]: night, [TAG.order]: '1' });
    const nightApp = await seedInstance(ec2, { [TAG.schedule]: night, [TAG.order]: '2' });

    // Act
    const { result, error } = await reconcile(schedules);

    // Assess
    expect(error).toBeUndefined();
    expect((await seeDatabase(rds, morningDb)).state).toBe('available');
    expect((await seeInstance(ec2, morningApp)).state).toBe('running');
    expect((await seeDatabase(rds, nightDb)).state).toBe('stopped');
    expect((await seeInstance(ec2, nightApp)).state).toBe('stopped');
    const done = (result?.done ?? []).map((entry) => `${entry.action} ${entry.id}`);
    expect(done).toEqual([
      `stop ${nightApp}`,
      `stop ${nightDb}`,
      `start ${morningDb}`,
      `start ${morningApp}`,
    ]);
    expect(entryOf(result as ReconcileReport, 'planned', morningApp)?.details).toMatchObject({
      order: 2,
    });
  });

  it('stops again a database that AWS started after 7 days stopped, and says so', async () => {
    // Prepare
    const { rds } = clients();
    const now = new Date();
    const name = unique('night');
    const schedules = { [name]: scheduleDue('stopped', now) };
    const restarted = unique('db-restarted');
    await seedDatabase(rds, restarted, {
      [TAG.schedule]: name,
      [TAG.lastAction]: lastAction('stop', new Date(now.getTime() - 8 * DAY_MS)),
    });
    // Started 2 days after the stop: a person, left alone until the next transition.
    const startedByPerson = unique('db-person');
    await seedDatabase(rds, startedByPerson, {
      [TAG.schedule]: name,
      [TAG.lastAction]: lastAction('stop', new Date(now.getTime() - 2 * DAY_MS)),
    });

    // Act
    const { result, error } = await reconcile(schedules);

    // Assess
    expect(error).toBeUndefined();
    const again = await seeDatabase(rds, restarted);
    expect(again.state).toBe('stopped');
    expect(again.tags[TAG.lastAction]).toMatch(/^stop@/);
    expect(again.tags[TAG.lastAction]).not.toBe(
      lastAction('stop', new Date(now.getTime() - 8 * DAY_MS)),
    );
    expect((await seeDatabase(rds, startedByPerson)).state).toBe('available');
    const report = result as ReconcileReport;
    expect(entryOf(report, 'planned', restarted)?.reason).toMatch(/AWS started it .*7 days/);
    expect(entryOf(report, 'done', restarted)?.reason).toMatch(/AWS started it .*7 days/);
    expect(linesOf(report, startedByPerson)).toEqual([
      expect.stringMatching(/^skipped: leave: .*changed by a person/),
    ]);
  });

  it('writes nightshift:last-error when a change fails, and removes it once a change succeeds', async () => {
    // Prepare
    const { rds } = clients();
    const now = new Date();
    const name = unique('night');
    const schedules = { [name]: scheduleDue('stopped', now) };
    const id = unique('mssql');
    // The emulator refuses to stop a Multi-AZ SQL Server instance.
    await seedDatabase(
      rds,
      id,
      { [TAG.schedule]: name },
      { engine: 'sqlserver-se', multiAz: true },
    );

    // Act
    const failing = await reconcile(schedules);
    const afterFailure = await seeDatabase(rds, id);
    await rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: id,
        MultiAZ: false,
        ApplyImmediately: true,
      }),
    );
    const retry = await reconcile(schedules);

    // Assess
    expect(failing.error?.name).toBe('PartialFailureError');
    expect(afterFailure.state).toBe('available');
    expect(afterFailure.tags[TAG.lastAction]).toBeUndefined();
    const lastError = afterFailure.tags[TAG.lastError] ?? '';
    expect(lastError).toMatch(/^[A-Za-z0-9 _.:/=+\-@]{1,256}$/);
    expect(lastError).toMatch(/^InvalidDBClusterStateFault/);
    expect(entryOf(reportOf(failing), 'failed', id)?.action).toBe('stop');
    expect(retry.error).toBeUndefined();
    const fixed = await seeDatabase(rds, id);
    expect(fixed.state).toBe('stopped');
    expect(fixed.tags[TAG.lastError]).toBeUndefined();
    expect(fixed.tags[TAG.lastAction]).toMatch(/^stop@/);
  });

  it('reports a resource on a schedule the document does not name as failed, and leaves it alone', async () => {
    // Prepare
    const { ec2 } = clients();
    const now = new Date();
    const known = unique('night');
    const lost = await seedInstance(ec2, { [TAG.schedule]: 'office-hour' });
    const fine = await seedInstance(ec2, { [TAG.schedule]: known });

    // Act
    const invocation = await reconcile({ [known]: scheduleDue('stopped', now) });

    // Assess
    expect(invocation.error?.name).toBe('PartialFailureError');
    expect((await seeInstance(ec2, lost)).state).toBe('running');
    expect((await seeInstance(ec2, fine)).state).toBe('stopped');
    expect(entryOf(reportOf(invocation), 'failed', lost)?.reason).toMatch(
      new RegExp(`office-hour.*${known}`),
    );
  });

  it('keeps the scale_down and scale_up events working beside the schedules', async () => {
    // Prepare
    const { ec2 } = clients();
    const now = new Date();
    const name = unique('night');
    const old = await seedInstance(ec2, { Environment: 'staging', AutoScale: 'true' });
    const scheduled = await seedInstance(ec2, { [TAG.schedule]: name });

    // Act
    const down = await invoke({ action: 'scale_down', environment: 'staging' });
    const afterDown = await seeInstances(ec2, [old, scheduled]);
    const schedule = await reconcile({ [name]: scheduleDue('stopped', now) });
    const up = await invoke({ action: 'scale_up', environment: 'staging' });

    // Assess
    for (const { error } of [down, schedule, up]) expect(error).toBeUndefined();
    expect([afterDown.get(old)?.state, afterDown.get(scheduled)?.state]).toEqual([
      'stopped',
      'running',
    ]);
    expect(linesOf(reportOf(schedule), old)).toEqual([]);
    const seen = await seeInstances(ec2, [old, scheduled]);
    expect([seen.get(old)?.state, seen.get(scheduled)?.state]).toEqual(['running', 'stopped']);
  });

  it('changes nothing and publishes no report when nothing is due', async () => {
    // Prepare
    const { ec2 } = clients();
    const sns = getClient(SNSClient);
    const now = new Date();
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: unique('reports') }));
    const reader = await subscribeQueue({ sns, sqs: getClient(SQSClient), topicArn: TopicArn });
    const [day, night] = [unique('day'), unique('night')];
    const schedules = { [day]: scheduleDue('running', now), [night]: scheduleDue('stopped', now) };
    const env = { SNS_TOPIC_ARN: TopicArn };
    const toStop = await seedInstance(ec2, { [TAG.schedule]: night });
    const awake = await seedInstance(ec2, {
      [TAG.schedule]: day,
      [TAG.lastAction]: lastAction('start', new Date(now.getTime() - 3_600_000)),
    });
    const asleep = await seedInstance(
      ec2,
      {
        [TAG.schedule]: night,
        [TAG.lastAction]: lastAction('stop', new Date(now.getTime() - 3_600_000)),
      },
      { stopped: true },
    );
    await tagInstances(ec2, [asleep], { Name: 'asleep' });
    const ids = [toStop, awake, asleep];

    // Act: a run that stops one instance (its report is published), then one with nothing due.
    const first = await reconcile(schedules, { env });
    const published = await reader.receive({ count: 1 });
    const before = await seeInstances(ec2, ids);
    const quiet = await reconcile(schedules, { env });
    const afterQuiet = await reader.receive({ count: 1, timeoutMs: 2_000 });

    // Assess
    expect(first.error).toBeUndefined();
    expect(published).toHaveLength(1);
    expect(published[0]?.Message).toContain(toStop);
    expect(quiet.error).toBeUndefined();
    expect(afterQuiet).toEqual([]);
    expect(await seeInstances(ec2, ids)).toEqual(before);
    expect(quiet.result).toMatchObject({ planned: [], done: [], skipped: [], failed: [] });
    expect(quiet.result?.totals).toMatchObject({ scheduledResources: 3, inDueState: 3 });
    expect(quiet.result?.notes).toContain('3 resources already in their due state');
  });
});
