import { gzipSync } from 'node:zlib';

/** A CloudWatch Logs subscription event carrying these lines. */
export const eventOf = (messageType: string, lines: string[]) => ({
  awslogs: {
    data: gzipSync(
      JSON.stringify({
        messageType,
        owner: '123456789012',
        logGroup: '/aws/lambda/orders-api',
        logStream: '2026/11/28/[$LATEST]abc',
        subscriptionFilters: ['nightshift'],
        logEvents: lines.map((message, i) => ({
          id: String(i),
          timestamp: Date.UTC(2026, 10, 28, 3, 0, i),
          message,
        })),
      }),
    ).toString('base64'),
  },
});
