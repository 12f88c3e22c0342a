import type { Target } from '../src/types.ts';

export const TABLE = 'nightshift-runs';
export const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111111111111/nightshift-fanout';
export const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111111111111:nightshift-reports';
export const RUN_ID = 'snapshot-cleanup/2026-11-30T08:00:00.000Z';
export const NOW = new Date('2026-11-30T08:00:05.000Z');
export const DEADLINE = new Date('2026-11-30T08:30:05.000Z');

/** `count` targets: accounts 100000000000… in eu-west-1. */
export const targets = (count: number, region = 'eu-west-1'): Target[] =>
  Array.from({ length: count }, (_, index) => ({
    accountId: String(100_000_000_000 + index),
    region,
  }));

export const pk = { S: `run#${RUN_ID}` };
