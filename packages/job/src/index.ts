export { type AnyClientClass, type ClientMakers, OWN_CLIENTS } from './clients.ts';
export {
  type Decision,
  DecisionError,
  type Details,
  decide,
  errorReason,
  toEntry,
} from './decision.ts';
export { type JobHandlerOptions, type JobLambda, jobHandler } from './jobHandler.ts';
export { type Outcomes, recordInto } from './outcomes.ts';
export { emptyPlan, type Job, type JobOutput, type Plan, runJob, type Summary } from './runJob.ts';
