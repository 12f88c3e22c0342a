export {
  type ActualState,
  decideForSchedule,
  ScheduleAction,
  type ScheduleDecision,
  type ScheduledResource,
} from './decide.ts';
export {
  isTimeZone,
  minutesOf,
  type Period,
  parseSchedules,
  type Schedule,
  type SchedulesDocument,
  SchedulesDocumentSchema,
  WEEKDAYS,
  type Weekday,
} from './document.ts';
export { type DueState, dueState, type LocalTime, localTime } from './due.ts';
export { DEFAULT_HORIZON_MINUTES, type DueChange, nextChange } from './next.ts';
