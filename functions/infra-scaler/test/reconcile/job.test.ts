import { GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import type { ReconcileReport } from '../../src/run.ts';
import {
  allMocks,
  cwMock,
  ec2Mock,
  givenInstances,
  instance,
  metricsOf,
  now,
  run,
  snsMock,
  tags,
} from '../fixtures.ts';

// The run's clock: Friday 2026-11-27, 19:00 UTC.
const SCHEDULES = JSON.stringify({
  schedules: {
    // Over at 18:00: due stopped.
    day: { periods: [{ start: '07:00', stop: '18:00' }] },
    // Always running.
    always: { periods: [{ start: '00:00', stop: '24:00' }] },
    // Stops at 19:20, within the default 30-minute notice.
    soon: { periods: [{ start: '07:00', stop: '19:20' }] },
    busy: {
      periods: [{ start: '07:00', stop: '18:00' }],
      busy: { cpuPercent: 40, minutes: 30, maxDeferMinutes: 120 },
    },
  },
});
const reconcile = { action: 'reconcile' } as const;
const on = (schedule: string, extra: Record<string, string> = {}) =>
  tags({ 'nightshift:schedule': schedule, ...extra });
const callsTo = (command: Parameters<typeof ec2Mock.commandCalls>[0]) =>
  ec2Mock.commandCalls(command).length;

describe('a reconcile run', () => {
  it('refuses a bad schedules document naming the path, before any AWS call', async () => {
    // Prepare
    const bad = JSON.stringify({
      schedules: {
        day: { timezone: 'Mars/Olympus', periods: [{ start: '07:00', stop: '18:00' }] },
      },
    });

    // Act & Assess
    await expect(run(reconcile, { SCHEDULES: bad })).rejects.toThrow(
      /schedules\.day\.timezone: must be an IANA time zone name/,
    );
    await expect(run(reconcile, { SCHEDULES: '{"schedules": ' })).rejects.toThrow(/must be JSON/);
    await expect(run(reconcile)).rejects.toThrow(/SCHEDULES_PARAMETER/);
    for (const mock of allMocks) expect(mock.calls()).toHaveLength(0);
  });

  it('reads instances by the schedule tag key only, stops the one due stopped, records it and publishes the report', async () => {
    // Prepare
    givenInstances(
      { ...instance('i-day', 'running', [], on('day')) },
      {
        ...instance(
          'i-always',
          'running',
          [],
          on('always', { 'nightshift:last-action': 'start@2026-11-27T07:00:00.000Z' }),
        ),
      },
    );
    ec2Mock.on(StopInstancesCommand).resolves({});
    ec2Mock.on(CreateTagsCommand).resolves({});

    // Act
    const { report, addMetric } = await run(reconcile, { SCHEDULES });

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'tag-key', Values: ['nightshift:schedule'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(StopInstancesCommand, { InstanceIds: ['i-day'] });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ['i-day'],
      Tags: [{ Key: 'nightshift:last-action', Value: `stop@${now.toISOString()}` }],
    });
    expect(report.done.map(({ id, action }) => [id, action])).toEqual([['i-day', 'stop']]);
    expect(report.totals).toMatchObject({ scheduledResources: 2, inDueState: 1 });
    expect(metricsOf(addMetric)).toMatchObject({ InstancesStopped: 1, InstancesStarted: 0 });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('publishes nothing when every resource is in its due state, and changes nothing', async () => {
    // Prepare
    givenInstances(
      instance(
        'i-always',
        'running',
        [],
        on('always', { 'nightshift:last-action': 'start@2026-11-27T07:00:00.000Z' }),
      ),
      instance(
        'i-day',
        'stopped',
        [],
        on('day', { 'nightshift:last-action': 'stop@2026-11-27T18:00:00.000Z' }),
      ),
    );

    // Act
    const { report } = await run(reconcile, { SCHEDULES });

    // Assess
    expect(report.totals).toMatchObject({ scheduledResources: 2, inDueState: 2 });
    expect(report.skipped).toEqual([]);
    expect(callsTo(StopInstancesCommand) + callsTo(CreateTagsCommand)).toBe(0);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('changes nothing in a dry run, tags included, and reports the plan', async () => {
    // Prepare
    givenInstances(instance('i-day', 'running', [], on('day')));

    // Act
    const { report } = await run({ ...reconcile, dryRun: true }, { SCHEDULES });

    // Assess
    expect(report.dryRun).toBe(true);
    expect(report.planned.map(({ id, action }) => [id, action])).toEqual([['i-day', 'stop']]);
    expect(report.done).toEqual([]);
    expect(callsTo(StopInstancesCommand) + callsTo(CreateTagsCommand)).toBe(0);
  });

  it('returns and notes the stops due within the notice window', async () => {
    // Prepare
    givenInstances(
      instance(
        'i-soon',
        'running',
        [],
        on('soon', { 'nightshift:last-action': 'start@2026-11-27T07:00:00.000Z' }),
      ),
    );

    // Act
    const { report } = await run(reconcile, { SCHEDULES });

    // Assess
    expect((report as ReconcileReport).headsUp).toEqual([
      expect.objectContaining({
        schedule: 'soon',
        timezone: 'UTC',
        stopAt: '2026-11-27T19:20:00.000Z',
        resources: [{ kind: 'instance', id: 'i-soon' }],
      }),
    ]);
    expect(report.notes).toContain('heads-up: soon stops i-soon at 2026-11-27 19:20 (UTC)');
    expect(report.totals).toMatchObject({ headsUp: 1 });
  });

  it("reads the busy guard's CPU in one call for every candidate, and leaves a busy instance running", async () => {
    // Prepare
    givenInstances(
      instance('i-busy', 'running', [], on('busy')),
      instance('i-idle', 'running', [], on('busy')),
    );
    ec2Mock.on(StopInstancesCommand).resolves({});
    ec2Mock.on(CreateTagsCommand).resolves({});
    cwMock.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput) => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map(({ Id }, index) => ({
        Id,
        Timestamps: [new Date(now.getTime() - 60_000)],
        Values: [index === 0 ? 90 : 5],
      })),
    }));

    // Act
    const { report } = await run(reconcile, { SCHEDULES });

    // Assess
    expect(cwMock.commandCalls(GetMetricDataCommand)).toHaveLength(1);
    expect(
      cwMock.commandCalls(GetMetricDataCommand)[0]?.args[0].input.MetricDataQueries,
    ).toHaveLength(2);
    expect(ec2Mock).toHaveReceivedCommandWith(StopInstancesCommand, { InstanceIds: ['i-idle'] });
    expect(report.skipped).toEqual([
      expect.objectContaining({ id: 'i-busy', reason: expect.stringMatching(/^busy: /) }),
    ]);
  });
});
