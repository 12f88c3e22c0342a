// The morning report rendered three ways from one `MorningReport`: Slack, Teams, e-mail.
export {
  ESTIMATE,
  formatAge,
  formatAmount,
  formatUsd,
  isQuiet,
} from './render/common.ts';
export { renderSlack, SLACK_LIST_LIMITS } from './render/slack.ts';
export { renderTeams, TEAMS_LIST_LIMITS } from './render/teams.ts';
export { renderText, TEXT_LIMITS, type TextReport } from './render/text.ts';
