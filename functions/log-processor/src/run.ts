import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Observability } from '@nightshift/middleware';
import { buildAlert, sourceOf } from './alert.ts';
import type { Config } from './config.ts';
import type { LogsEvent, LogsPayload } from './event.ts';

/** The function's name: its logger's service and its metrics' dimension. */
export const SERVICE = 'log-processor';

/** What a run needs: the SNS client of the alert, the logger and the metrics. */
export type Deps = Observability & { sns: SNSClient };

/** What one batch amounted to. */
export interface BatchSummary {
  logGroup: string;
  logStream: string;
  processedEvents: number;
  errorCount: number;
  criticalCount: number;
  /** Lines longer than the classifier reads, classified from their start only. */
  cutLines: number;
  /** The alert's SNS message id, when one was sent. */
  alertMessageId?: string;
  /** The account that owns the log group, when it is not the function's. */
  account?: string;
  /** Why the batch was not looked at (control messages). */
  ignored?: string;
}

/** Where a batch is processed: the function's own account (undefined: unknown, taken as the batch's). */
export interface Source {
  accountId?: string;
}

/**
 * The function's entry point, for a decoded subscription event: counts the error and
 * critical lines of its batch, writes the metrics (EMF, with the log group as a
 * dimension) and sends at most one alert for the critical lines. A failed publish throws,
 * after the metrics are recorded, so that Lambda retries the batch.
 *
 * @example
 * const summary = await run({ sns, logger, metrics }, config, parseOrThrow(EventSchema, raw, 'event'));
 */
export const run = (
  deps: Deps,
  config: Config,
  event: LogsEvent,
  source: Source = {},
): Promise<BatchSummary> => processBatch(deps, config, event.awslogs.data, source);

/**
 * One decoded batch, from either trigger: counts its error and critical lines, writes the
 * metrics and sends at most one alert (see `run`). A batch of another account than
 * `source.accountId` is named `<account>:<log group>` in the metrics' dimension and the
 * alert, whose message attributes carry the account too.
 *
 * @example
 * const summary = await processBatch(deps, config, payload, { accountId: '123456789012' });
 */
export const processBatch = async (
  { sns, logger, metrics }: Deps,
  config: Config,
  payload: LogsPayload,
  { accountId }: Source = {},
): Promise<BatchSummary> => {
  const { logGroup, logStream } = payload;
  const source = sourceOf(payload, accountId);
  const foreign = source !== logGroup;
  if (payload.messageType === 'CONTROL_MESSAGE') {
    logger.info('Control message acknowledged', { logGroup });
    return {
      logGroup,
      logStream,
      processedEvents: 0,
      errorCount: 0,
      criticalCount: 0,
      cutLines: 0,
      ignored: 'CONTROL_MESSAGE',
    };
  }
  const { classifier } = config;
  let errorCount = 0;
  let cutLines = 0;
  const critical: LogsPayload['logEvents'] = [];
  for (const event of payload.logEvents) {
    if (event.message.length > classifier.maxLength) cutLines += 1;
    const severity = classifier.classify(event.message);
    if (severity === 'none') continue;
    errorCount += 1;
    if (severity === 'critical') critical.push(event);
  }

  metrics.addDimension('LogGroup', source);
  metrics.addMetric('ProcessedEvents', MetricUnit.Count, payload.logEvents.length);
  metrics.addMetric('ErrorCount', MetricUnit.Count, errorCount);
  metrics.addMetric('CriticalErrorCount', MetricUnit.Count, critical.length);
  // The same count without the log group, for one alarm over every watched group.
  metrics.singleMetric().addMetric('CriticalErrorCount', MetricUnit.Count, critical.length);
  const summary: BatchSummary = {
    logGroup,
    logStream,
    processedEvents: payload.logEvents.length,
    errorCount,
    criticalCount: critical.length,
    cutLines,
    ...(foreign ? { account: payload.owner } : {}),
  };
  if (cutLines > 0) {
    logger.warn('Lines longer than the classifier reads were classified from their start', {
      logGroup,
      cutLines,
      classifiedCharacters: classifier.maxLength,
    });
  }

  if (critical.length > 0) {
    if (!config.alertTopicArn) {
      logger.warn('Critical lines found but ALERT_TOPIC_ARN is not set: no alert sent', {
        ...summary,
      });
    } else {
      const { subject, message } = buildAlert(payload, critical, {
        region: config.region,
        maxLines: config.maxLines,
        maxLineLength: config.maxLineLength,
        classifiedLength: classifier.maxLength,
        cutLines,
        accountId,
      });
      const { MessageId } = await sns.send(
        new PublishCommand({
          TopicArn: config.alertTopicArn,
          Subject: subject,
          Message: message,
          MessageAttributes: {
            logGroup: {
              DataType: 'String',
              StringValue: logGroup.slice(0, 256).toWellFormed() || '(none)',
            },
            criticalCount: { DataType: 'Number', StringValue: String(critical.length) },
            ...(foreign
              ? { account: { DataType: 'String', StringValue: payload.owner || '(none)' } }
              : {}),
          },
        }),
      );
      summary.alertMessageId = MessageId;
    }
  }
  logger.info('Batch processed', { ...summary });
  return summary;
};
