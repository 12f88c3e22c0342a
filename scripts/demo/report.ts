// The morning report's part of the demo: the run history table, list prices in its cache
// (the emulator has no Price List API), and a moved clock for the night's jobs.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createKeyedTable } from '@nightshift/testing';
import { launchDemoInstance } from './seed.ts';

/** The history table, as the template makes it: string keys `pk` and `sk`. */
export const HISTORY_TABLE = 'nightshift-history-demo';

/**
 * On-demand list prices in eu-west-1 (USD, Linux, shared tenancy; RDS PostgreSQL
 * Single-AZ; EBS snapshots per GB-month), put in the price cache as the Price List API
 * would have.
 */
export const DEMO_PRICES: Record<string, number> = {
  'ec2#t3.small#-': 0.0228,
  'rds#db.t4g.micro#postgres': 0.018,
  'ebs-snapshot#-#-': 0.05,
};

/**
 * Creates the history table and caches the demo's prices for a week.
 *
 * @example
 * await seedHistory('eu-west-1');
 */
export const seedHistory = async (region: string): Promise<void> => {
  const dynamodb = new DynamoDBClient({});
  await createKeyedTable(dynamodb, HISTORY_TABLE);
  for (const [sk, usd] of Object.entries(DEMO_PRICES))
    await dynamodb.send(
      new PutItemCommand({
        TableName: HISTORY_TABLE,
        Item: {
          pk: { S: `price#${region}` },
          sk: { S: sk },
          usd: { N: String(usd) },
          unit: { S: sk.startsWith('ebs-snapshot') ? 'GB-Mo' : 'Hrs' },
          fetchedAt: { S: new Date().toISOString() },
          expiresAt: { N: String(Math.floor(Date.now() / 1000) + 7 * 86_400) },
        },
      }),
    );
};

/**
 * The environment that runs a bundle `hoursAgo` in the past on its own clock (libfaketime,
 * which the setup provides for the emulator): the night's jobs run in seconds, the run
 * history sees their hours.
 *
 * @example
 * await invokeBundle(bundle, event, { env: { ...hoursAgo(12) } });
 */
export const hoursAgo = (hours: number): Record<string, string> => {
  const library = process.env.NS_FAKETIME_LIB;
  if (!library) throw new Error('NS_FAKETIME_LIB is not set: run the demo with npm run demo');
  return {
    LD_PRELOAD: library,
    FAKETIME: `-${Math.round(hours * 60)}m`,
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
};

/** A reporting server someone tagged Backup=true last week, in an environment no job backs up. */
export const launchUnprotected = (): Promise<string> =>
  launchDemoInstance({ Name: 'qa-reports', Environment: 'qa', Backup: 'true' });
