export * from './chat.ts';
export {
  checkWebhookUrl,
  DEFAULT_WEBHOOK_HOSTS,
  DeliveryError,
  HOST_PATTERN,
  postJson,
} from './deliver.ts';
export { type ChatKind, type Destination, webhookUrl } from './webhooks.ts';
