export {
  type Decision,
  DecisionError,
  type Details,
  decide,
  errorReason,
  toEntry,
} from './decision.ts';
export { type JobHandlerOptions, jobHandler } from './jobHandler.ts';
export { type Outcomes, recordInto } from './outcomes.ts';
export { emptyPlan, type Job, type JobOutput, type Plan, runJob, type Summary } from './runJob.ts';
