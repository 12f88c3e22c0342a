import { SNSClient } from '@aws-sdk/client-sns';
import { type Job, type Plan, runJob } from '@nightshift/job';
import { createObservability } from '@nightshift/middleware';
import { describe, expect, it, vi } from 'vitest';
import { titled } from '../src/titled.ts';

type Action = 'stop' | 'start';

const decision = (action: Action, target: string) => ({ action, target, reason: `${action} it` });

/** A job whose plan has these notes, one change, one skip and one problem. */
const jobWith = (notes: string[]): Job<Action, string[]> => ({
  service: 'infra-scaler',
  dryRun: false,
  read: async () => ['i-0a'],
  plan: (ids): Plan<Action> => ({
    changes: ids.map((id) => decision('stop', id)),
    skips: [decision('start', 'i-0skip')],
    problems: [decision('stop', 'i-0bad')],
    findings: [decision('start', 'i-0found')],
    notes,
  }),
  apply: async () => undefined,
});

describe('titled', () => {
  it('opens the plan notes with the title, before the notes the plan made', () => {
    // Prepare
    const job = titled('scale_down of environment staging', jobWith(['first', 'second']));

    // Act
    const plan = job.plan(['i-0a']);

    // Assess
    expect(plan.notes).toEqual(['scale_down of environment staging', 'first', 'second']);
  });

  it('gives the title as the only note of a plan without notes', () => {
    // Act
    const plan = titled('check of environment staging', jobWith([])).plan(['i-0a']);

    // Assess
    expect(plan.notes).toEqual(['check of environment staging']);
  });

  it('keeps the changes, skips, problems and findings the plan decided, from the same input', () => {
    // Prepare
    const inner = jobWith([]);
    const plan = vi.spyOn(inner, 'plan');

    // Act
    const titledPlan = titled('t', inner).plan(['i-0a', 'i-0b']);

    // Assess
    expect(plan).toHaveBeenCalledWith(['i-0a', 'i-0b']);
    expect(titledPlan).toEqual({ ...inner.plan(['i-0a', 'i-0b']), notes: ['t'] });
    expect(titledPlan.changes.map((change) => change.target)).toEqual(['i-0a', 'i-0b']);
  });

  it("leaves the job's own plan untouched, so the same job can be titled twice", () => {
    // Prepare
    const inner = jobWith(['own']);

    // Act
    titled('a', inner).plan(['i-0a']);
    const again = titled('b', inner).plan(['i-0a']);

    // Assess
    expect(inner.plan(['i-0a']).notes).toEqual(['own']);
    expect(again.notes).toEqual(['b', 'own']);
  });

  it('keeps every other part of the job as it is', () => {
    // Prepare
    const inner: Job<Action, string[]> = {
      ...jobWith([]),
      dryRun: true,
      summarize: () => ({ totals: { x: 1 } }),
      publishes: () => false,
    };

    // Act
    const job = titled('t', inner);

    // Assess
    expect(job.service).toBe('infra-scaler');
    expect(job.dryRun).toBe(true);
    expect(job.read).toBe(inner.read);
    expect(job.apply).toBe(inner.apply);
    expect(job.summarize).toBe(inner.summarize);
    expect(job.publishes).toBe(inner.publishes);
  });

  it("puts the title first in the run's report notes", async () => {
    // Prepare
    const job = titled('scale_up of environment staging', jobWith(['from the plan']));

    // Act
    const report = await runJob(job, {
      ...createObservability('infra-scaler'),
      sns: new SNSClient({}),
      now: () => new Date('2026-11-27T07:00:00Z'),
    });

    // Assess
    expect(report.notes.slice(0, 2)).toEqual(['scale_up of environment staging', 'from the plan']);
  });
});
