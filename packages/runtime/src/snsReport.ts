import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { countReport, type Report, renderReport, summarizeReport } from './report.ts';

/** SNS takes at most 256 KiB per publish, message attributes included. */
export const SNS_MAX_PUBLISH_BYTES = 262_144;
/** SNS subjects must be under 100 characters. */
export const SNS_MAX_SUBJECT_LENGTH = 99;

/**
 * Makes any text a valid SNS subject: ASCII only, no line breaks, under 100 characters,
 * starting with a letter, number or punctuation mark.
 *
 * @example
 * toSnsSubject('Sauvegarde échouée\nfor i-1'); // 'Sauvegarde echouee for i-1'
 */
export const toSnsSubject = (text: string): string => {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const subject = ascii.length > 0 ? ascii : 'Nightshift report';
  return subject.length <= SNS_MAX_SUBJECT_LENGTH
    ? subject
    : `${subject.slice(0, SNS_MAX_SUBJECT_LENGTH - 3).trimEnd()}...`;
};

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes, never inside a character, and says so
 * at the end when it cut anything.
 *
 * @example
 * truncateUtf8(hugeReport, 262_000);
 */
export const truncateUtf8 = (text: string, maxBytes: number): string => {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const note = (shown: number) =>
    `\n\n[truncated: ${shown} of ${bytes.length} bytes shown; the full report is in the function's log]`;
  const room = maxBytes - Buffer.byteLength(note(bytes.length));
  // Back off to the start of a UTF-8 character (continuation bytes are 10xxxxxx).
  let end = Math.max(0, room);
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8') + note(end);
};

const attributeBytes = (attributes: Record<string, MessageAttributeValue>): number =>
  Object.entries(attributes).reduce(
    (total, [name, value]) =>
      total +
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? '') +
      Buffer.byteLength(value.StringValue ?? ''),
    0,
  );

/**
 * Publishes a report to an SNS topic: a one-line subject, the readable report as the
 * message, and attributes (service, dryRun, failed) that subscriptions can filter on.
 *
 * @example
 * await publishReport(getClient(SNSClient), { topicArn: config.SNS_TOPIC_ARN, report });
 */
export const publishReport = async (
  sns: SNSClient,
  { topicArn, report }: { topicArn: string; report: Report },
): Promise<string | undefined> => {
  const counts = countReport(report);
  const attributes: Record<string, MessageAttributeValue> = {
    service: { DataType: 'String', StringValue: report.service },
    dryRun: { DataType: 'String', StringValue: String(report.dryRun) },
    failed: { DataType: 'Number', StringValue: String(counts.failed) },
  };
  const message = truncateUtf8(
    renderReport(report),
    SNS_MAX_PUBLISH_BYTES - attributeBytes(attributes),
  );
  const result = await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: toSnsSubject(summarizeReport(report)),
      Message: message,
      MessageAttributes: attributes,
    }),
  );
  return result.MessageId;
};
