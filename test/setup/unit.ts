// toHaveReceivedCommandWith and the other aws-sdk-client-mock matchers, with their types.
import 'aws-sdk-client-mock-vitest/extend';

// Unit tests run quiet; a test that reads log lines or EMF output turns them back on
// with vi.stubEnv before it creates its logger and metrics.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
