import {
  maskSecrets,
  SNS_MAX_PUBLISH_BYTES,
  toSnsSubject,
  truncateUtf8,
} from '@nightshift/runtime';
import type { LogsPayload } from './event.ts';

type LogEvent = LogsPayload['logEvents'][number];

/** CloudWatch's console encoding inside the Logs Insights fragment: `*` and hex for anything else. */
const consoleEncode = (text: string): string =>
  // A lone surrogate (JSON escapes can carry one) would make encodeURIComponent throw.
  [...text.toWellFormed()]
    .map((char) =>
      /[A-Za-z0-9_.-]/.test(char)
        ? char
        : encodeURIComponent(char).replace(
            /%([0-9A-F]{2})/g,
            (_, hex: string) => `*${hex.toLowerCase()}`,
          ),
    )
    .join('');

/**
 * A link to CloudWatch Logs Insights for one log group and time window, with a query
 * that lists the window's lines newest first.
 *
 * @example
 * insightsUrl({ region: 'eu-west-1', logGroup: '/aws/lambda/api', start, end });
 */
export const insightsUrl = ({
  region,
  logGroup,
  start,
  end,
}: {
  region: string;
  logGroup: string;
  start: Date;
  end: Date;
}): string => {
  const query = 'fields @timestamp, @logStream, @message\n| sort @timestamp desc\n| limit 200';
  const detail =
    `~(end~'${consoleEncode(end.toISOString())}~start~'${consoleEncode(start.toISOString())}` +
    `~timeType~'ABSOLUTE~tz~'UTC~editorString~'${consoleEncode(query)}~source~(~'${consoleEncode(logGroup)}))`;
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:logs-insights$3FqueryDetail$3D${detail}`;
};

/**
 * The log group as alerts and metrics name it: its name, after its owner's account id
 * (`111122223333:/aws/lambda/api`) when another account than the function's owns it (a
 * batch that came through the organization's destination).
 *
 * @example
 * sourceOf({ owner: '111122223333', logGroup: '/aws/lambda/api' }, '123456789012'); // '111122223333:/aws/lambda/api'
 */
export const sourceOf = (
  { owner, logGroup }: Pick<LogsPayload, 'logGroup' | 'owner'>,
  accountId: string | undefined,
): string => (accountId === undefined || owner === accountId ? logGroup : `${owner}:${logGroup}`);

/**
 * The one alert of a batch with critical lines: a subject within SNS's rules, and a
 * message (within 256 KB) with the log group, stream, time range, the first critical
 * lines (each cut to `maxLineLength`, credentials masked), how many more there were, and
 * a Logs Insights link for the window. A batch of another account than `accountId` (the
 * function's) names its log group after the account, in the subject too. When lines of the batch were longer than the
 * classifier reads (`classifiedLength`), it says how many (`cutLines`), and marks each
 * shown line that was one of them.
 *
 * @example
 * const { subject, message } = buildAlert(payload, criticalEvents, { region, maxLines: 5, maxLineLength: 500 });
 */
export const buildAlert = (
  payload: Pick<LogsPayload, 'logGroup' | 'logStream' | 'owner'>,
  critical: readonly LogEvent[],
  {
    region,
    maxLines,
    maxLineLength,
    classifiedLength = Number.POSITIVE_INFINITY,
    cutLines = 0,
    accountId,
  }: {
    region: string;
    maxLines: number;
    maxLineLength: number;
    classifiedLength?: number;
    cutLines?: number;
    /** The function's own account; undefined: every batch is taken as the function's own. */
    accountId?: string;
  },
): { subject: string; message: string } => {
  const source = sourceOf(payload, accountId);
  const foreign = source !== payload.logGroup;
  // A loop, not Math.min(...times): a batch can hold more lines than a call takes arguments.
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const { timestamp } of critical) {
    if (timestamp < first) first = timestamp;
    if (timestamp > last) last = timestamp;
  }
  const start = new Date(first);
  const end = new Date(last);
  // The window around the lines, a minute each side, for the link.
  const window = {
    start: new Date(start.getTime() - 60_000),
    end: new Date(end.getTime() + 60_000),
  };
  const shown = critical.slice(0, maxLines).map((event) => {
    const line = maskSecrets(event.message.replace(/\s+$/, ''));
    const cut =
      line.length > maxLineLength
        ? `${line.slice(0, maxLineLength)}... [${line.length - maxLineLength} more characters]`
        : line;
    const classified =
      event.message.length > classifiedLength
        ? ` [cut: classified from its first ${classifiedLength} characters]`
        : '';
    return `[${new Date(event.timestamp).toISOString()}] ${cut}${classified}`;
  });
  const more = critical.length - shown.length;
  const lines = [
    `${critical.length} critical log line(s) in ${source}`,
    '',
    `Log group: ${payload.logGroup}`,
    `Log stream: ${payload.logStream}`,
    `Account: ${payload.owner}`,
    `Time: ${start.toISOString()} to ${end.toISOString()} (UTC)`,
    ...(cutLines > 0
      ? [
          `Cut: ${cutLines} line(s) of this batch longer than ${classifiedLength} characters, each classified from its first ${classifiedLength} only.`,
        ]
      : []),
    '',
    ...shown,
    ...(more > 0 ? ['', `... and ${more} more critical line(s) in this batch.`] : []),
    '',
    `Logs Insights${foreign ? ` (signed in to account ${payload.owner})` : ''}: ${insightsUrl({ region, logGroup: payload.logGroup, ...window })}`,
  ];
  return {
    subject: toSnsSubject(`Nightshift: ${critical.length} critical in ${source}`),
    // Well-formed, or the SDK cannot URL-encode it for SNS.
    message: truncateUtf8(lines.join('\n').toWellFormed(), SNS_MAX_PUBLISH_BYTES - 1_024),
  };
};
