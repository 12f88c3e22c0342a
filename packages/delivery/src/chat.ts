// Chat rendering only: no webhook delivery, no AWS client (`@nightshift/delivery/chat`).
export {
  type HeadsUpNotice,
  type HeadsUpResource,
  headsUpChunks,
  headsUpSlack,
  headsUpTeams,
  headsUpText,
  MAX_HEADS_UP_RESOURCES,
  teamsEscape,
} from './headsUp.ts';
export { SLACK_LIMITS, slackLimitIssues, TEAMS_LIMITS, teamsLimitIssues } from './limits.ts';
export {
  SLACK_COLOURS,
  type SlackBlock,
  type SlackMessage,
  slackButtons,
  slackContext,
  slackDate,
  slackEscape,
  slackFields,
  slackHeader,
  slackMessage,
  slackSection,
} from './slack.ts';
export {
  fitTeams,
  TEAMS_CARD_VERSION,
  TEAMS_COLOURS,
  TEAMS_MAX_BYTES,
  type TeamsElement,
  type TeamsMessage,
  teamsDate,
  teamsFacts,
  teamsLinks,
  teamsMessage,
  teamsText,
} from './teams.ts';
export {
  cleanText,
  cut,
  type Fact,
  fitLines,
  type Link,
  MAX_LINK_LENGTH,
  safeLink,
  type Tone,
} from './text.ts';
