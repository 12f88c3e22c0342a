/** The notification an SNS event's first record carries (a CodeStar notification's message). */
export const notificationOf = (sns: { Records: readonly { Sns: { Message: string } }[] }) =>
  JSON.parse(sns.Records[0]?.Sns.Message ?? 'null') as Record<string, unknown>;

/**
 * The EventBridge event CodePipeline emits for the same state change as a notification
 * that its notification rule publishes to SNS.
 *
 * @example
 * const twin = eventBridgeTwin(notificationOf(snsPipelineFailed));
 */
export const eventBridgeTwin = (notification: Record<string, unknown>) => ({
  version: '0',
  id: '01234567-0000-4000-8000-000000000000',
  'detail-type': notification.detailType,
  source: notification.source,
  account: notification.account,
  time: notification.time,
  region: notification.region,
  resources: notification.resources,
  detail: notification.detail,
});
