import type { Decision, Job } from '@nightshift/job';

/** The job, its plan opened by the run's first note: which action, on which environment. */
export const titled = <A extends string, R, C extends Decision<A>>(
  title: string,
  job: Job<A, R, C>,
): Job<A, R, C> => ({
  ...job,
  plan: (input) => {
    const plan = job.plan(input);
    return { ...plan, notes: [title, ...plan.notes] };
  },
});
