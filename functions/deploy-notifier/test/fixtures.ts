import {
  type ChatKind,
  type SlackMessage,
  slackLimitIssues,
  type TeamsMessage,
  teamsLimitIssues,
} from '@nightshift/delivery';

/** What in a posted body is over its chat service's limits: empty when it takes it. */
export const limitIssues = (kind: ChatKind, body: unknown): string[] =>
  kind === 'slack'
    ? slackLimitIssues(body as SlackMessage)
    : teamsLimitIssues(body as TeamsMessage);
