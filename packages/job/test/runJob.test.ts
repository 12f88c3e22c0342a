import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createObservability } from '@nightshift/middleware';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { decide } from '../src/decision.ts';
import { emptyPlan, type Job, runJob } from '../src/runJob.ts';

const snsMock = mockClient(SNSClient);
const sns = new SNSClient({});
const times = ['2026-11-30T01:00:00.000Z', '2026-11-30T01:00:05.000Z'];
const clockFrom = (values: string[]) => {
  let call = 0;
  return () => new Date(values[Math.min(call++, values.length - 1)] as string);
};

/** A job over two snapshots: one to delete, one kept; apply deletes it. */
const jobOf = (overrides: Partial<Job<'delete' | 'keep', string[]>> = {}) => {
  const apply = vi.fn<Job<'delete' | 'keep', string[]>['apply']>(async (changes, outcomes) => {
    for (const change of changes) outcomes.done(change, 'deleted');
  });
  const job: Job<'delete' | 'keep', string[]> = {
    service: 'test-job',
    dryRun: false,
    read: async () => ['snap-old', 'snap-new'],
    plan: (ids) => ({
      ...emptyPlan(),
      changes: [decide('delete', ids[0] as string, 'older than 30 days')],
      skips: [decide('keep', ids[1] as string, 'within retention')],
      notes: ['retention 30 days'],
    }),
    apply,
    summarize: (report) => ({
      totals: { deleted: report.done.length },
      metrics: { SnapshotsDeleted: report.done.length },
      notes: ['sizes are upper bounds'],
    }),
    ...overrides,
  };
  return { job, apply };
};

describe('Run a job', () => {
  const observability = createObservability('test-job');

  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('reads, plans, applies, reports, counts and publishes, in that order', async () => {
    // Prepare
    const { job, apply } = jobOf();
    const addMetric = vi.spyOn(observability.metrics, 'addMetric');

    // Act
    const report = await runJob(job, {
      ...observability,
      sns,
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:reports',
      now: clockFrom(times),
    });

    // Assess
    expect(apply).toHaveBeenCalledOnce();
    expect(report).toMatchObject({
      service: 'test-job',
      dryRun: false,
      startedAt: times[0],
      finishedAt: times[1],
      planned: [{ id: 'snap-old', action: 'delete', reason: 'older than 30 days' }],
      done: [{ id: 'snap-old', action: 'delete', reason: 'deleted' }],
      skipped: [{ id: 'snap-new', action: 'keep', reason: 'within retention' }],
      failed: [],
      totals: { deleted: 1 },
      notes: ['retention 30 days', 'sizes are upper bounds'],
    });
    expect(addMetric).toHaveBeenCalledWith('SnapshotsDeleted', 'Count', 1);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Subject).toBe(
      'Nightshift test-job: 1 done, 0 failed, 1 skipped',
    );
  });

  it('publishes only the reports its job says are worth publishing, and logs every one', async () => {
    // Prepare
    const publishes = vi.fn((report: { done: unknown[] }) => report.done.length > 1);
    const { job } = jobOf({ publishes });
    const topicArn = 'arn:aws:sns:eu-west-1:123456789012:reports';

    // Act
    const quiet = await runJob(job, { ...observability, sns, topicArn, now: clockFrom(times) });
    const loud = await runJob(
      { ...job, publishes: (report) => report.done.length === 1 },
      { ...observability, sns, topicArn, now: clockFrom(times) },
    );

    // Assess
    expect(publishes).toHaveBeenCalledWith(quiet);
    expect(quiet.done).toHaveLength(1);
    expect(loud.done).toHaveLength(1);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('changes nothing in a dry run: the plan is reported and apply is never called', async () => {
    // Prepare
    const { job, apply } = jobOf({ dryRun: true });

    // Act
    const report = await runJob(job, { ...observability, sns, now: clockFrom(times) });

    // Assess
    expect(apply).not.toHaveBeenCalled();
    expect(report.dryRun).toBe(true);
    expect(report.planned).toHaveLength(1);
    expect(report.done).toEqual([]);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0); // no topic configured
  });

  it('reports findings as done in every run, a dry run too, without applying anything', async () => {
    // Prepare
    const { job, apply } = jobOf({
      dryRun: true,
      plan: () => ({
        ...emptyPlan(),
        findings: [decide('keep', 'snap-idle', 'unused for 90 days')],
      }),
    });

    // Act
    const report = await runJob(job, { ...observability, sns, now: clockFrom(times) });

    // Assess
    expect(apply).not.toHaveBeenCalled();
    expect(report.done).toEqual([
      { id: 'snap-idle', action: 'keep', reason: 'unused for 90 days' },
    ]);
    expect(report.planned).toEqual([]);
  });

  it('reports what the planner found wrong as failed, without applying it', async () => {
    // Prepare
    const { job, apply } = jobOf({
      plan: () => ({
        ...emptyPlan(),
        problems: [decide('delete', 'snap-odd', 'tag is not a date: left for a person')],
      }),
    });

    // Act
    const report = await runJob(job, { ...observability, sns, now: clockFrom(times) });

    // Assess
    expect(apply).not.toHaveBeenCalled(); // nothing to change
    expect(report.failed).toEqual([
      { id: 'snap-odd', action: 'delete', reason: 'tag is not a date: left for a person' },
    ]);
  });

  it('returns the report with its failures: failing the invocation is the handler’s job', async () => {
    // Prepare
    const { job } = jobOf({
      apply: async (changes, outcomes) => {
        for (const change of changes) outcomes.failed(change, new Error('InvalidSnapshot.InUse'));
      },
    });

    // Act
    const report = await runJob(job, { ...observability, sns, now: clockFrom(times) });

    // Assess
    expect(report.failed).toEqual([
      { id: 'snap-old', action: 'delete', reason: 'Error: InvalidSnapshot.InUse' },
    ]);
  });

  it('logs the plan and the report, and takes the time from the system clock when none is given', async () => {
    // Prepare
    const { job } = jobOf({ summarize: undefined });
    const info = vi.spyOn(observability.logger, 'info');
    const before = Date.now();

    // Act
    const report = await runJob(
      {
        ...job,
        // A planner of its own making: no findings list at all.
        plan: () => ({
          changes: [decide('delete', 'snap-old', 'old')],
          skips: [],
          problems: [],
          notes: [],
        }),
      },
      { ...observability, sns },
    );

    // Assess
    expect(info).toHaveBeenCalledWith('Planned', {
      dryRun: false,
      changes: 1,
      skips: 0,
      problems: 0,
      findings: 0,
    });
    expect(info).toHaveBeenCalledWith('Report', expect.objectContaining({ service: 'test-job' }));
    expect(Date.parse(report.startedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(report.finishedAt ?? '')).toBeLessThanOrEqual(Date.now());
    expect(report.done).toEqual([{ id: 'snap-old', action: 'delete', reason: 'deleted' }]);
    expect(report.totals).toEqual({});
    expect(report.notes).toEqual([]);
    info.mockRestore();
  });

  it('starts from an empty plan', () => {
    expect(emptyPlan()).toEqual({ changes: [], skips: [], problems: [], findings: [], notes: [] });
  });

  it('lets a failed read fail the run before anything is planned', async () => {
    // Prepare
    const { job, apply } = jobOf({ read: async () => Promise.reject(new Error('throttled')) });

    // Act & Assess
    await expect(runJob(job, { ...observability, sns })).rejects.toThrow('throttled');
    expect(apply).not.toHaveBeenCalled();
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });
});
