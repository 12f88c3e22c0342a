export { eventBridgeTwin, notificationOf } from './codePipeline.ts';
export * from './crashPoints.ts';
export { twoPagesOfVolumes } from './ec2Volumes.ts';
export {
  type Fault,
  type FaultProxy,
  type FaultSettings,
  type FaultStats,
  startFaultProxy,
} from './faultProxy.ts';
export { type BundleInvocation, invokeBundle } from './invokeBundle.ts';
export { createLambdaContext } from './lambdaContext.ts';
export {
  connectMoto,
  type Moto,
  type MotoConnection,
  type MotoServer,
  startMoto,
} from './motoServer.ts';
export { originalBackupStamp } from './originalScripts.ts';
export { HARMLESS_SAMPLES, SECRET_SAMPLES, type SecretSample } from './secrets.ts';
export { seededRandom } from './seededRandom.ts';
export { type SnsNotification, type SnsQueueReader, subscribeQueue } from './snsQueue.ts';
export { type DrainAnswer, type DrainStats, drainQueue, type SqsEventRecord } from './sqsDrain.ts';
export { createKeyedTable } from './tables.ts';
export { startWebhookReceiver, type WebhookReceiver } from './webhookReceiver.ts';
