import { describe, expect, it } from 'vitest';
import { createObservability, METRICS_NAMESPACE } from '../src/observability.ts';

describe('Observability of a function', () => {
  it('gives a logger and metrics named after the service, metrics in the Nightshift namespace', () => {
    // Act
    const { logger, metrics } = createObservability('snapshot-cleanup');

    // Assess
    expect(METRICS_NAMESPACE).toBe('Nightshift');
    expect(
      (logger as unknown as { powertoolsLogData: { serviceName: string } }).powertoolsLogData
        .serviceName,
    ).toBe('snapshot-cleanup');
    const emf = metrics.serializeMetrics();
    expect(emf._aws.CloudWatchMetrics[0]?.Namespace).toBe('Nightshift');
    expect(emf.service).toBe('snapshot-cleanup');
  });
});
