export * from './chat.ts';
export {
  checkWebhookUrl,
  DEFAULT_WEBHOOK_HOSTS,
  DeliveryError,
  HOST_PATTERN,
  postJson,
} from './deliver.ts';
export {
  DESTINATION_SETTINGS,
  type DestinationSettings,
  type Destinations,
  loadDestinations,
  type Route,
  resolveDestinations,
  routeFor,
} from './destinations.ts';
export { type Post, webhookPost } from './post.ts';
export { type ChatKind, type Destination, webhookUrl } from './webhooks.ts';
