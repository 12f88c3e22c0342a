import type { Ec2Instance } from '@nightshift/inventory';
import { decide, emptyPlan, type Plan } from '@nightshift/job';

/** What a run does with an instance; the strings are the report's actions. */
export const Action = { Flag: 'flag', Skip: 'skip' } as const;
export type Action = (typeof Action)[keyof typeof Action];

/**
 * The plan of a run, from what was read only: pure, so that a dry run, a real run and a
 * test see the same decisions. A running instance is flagged; any other is left alone.
 *
 * @example
 * planRun([{ id: 'i-0abc', state: 'running', tags: [] }]).changes; // [{ action: 'flag', target: 'i-0abc', reason: 'running' }]
 */
export const planRun = (instances: readonly Ec2Instance[]): Plan<Action> => {
  const plan = emptyPlan<Action>();
  for (const instance of instances) {
    if (instance.state === 'running') {
      const details = instance.instanceType ? { instanceType: instance.instanceType } : undefined;
      plan.changes.push(decide(Action.Flag, instance.id, 'running', details));
    } else {
      plan.skips.push(decide(Action.Skip, instance.id, `${instance.state}, not running`));
    }
  }
  return plan;
};
