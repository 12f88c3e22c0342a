export { errorLogger } from './errorLogger.ts';
export { eventValidator } from './eventValidator.ts';
export { createObservability, METRICS_NAMESPACE, type Observability } from './observability.ts';
export { withNightshift } from './withNightshift.ts';
