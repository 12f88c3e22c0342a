// The GetProducts responses under fixtures/pricing/ are real answers of the Price List API,
// copied unchanged:
// - get-products-ec2-c5ad.2xlarge-af-south-1.json: a PriceList entry of an EC2 instance type
//   (c5ad.2xlarge, Linux, af-south-1, published 2024-05-08), from the unit tests of
//   grafana/cloudcost-exporter (pkg/aws/ec2/pricing_map_test.go), which recorded it from
//   GetProducts. It is the capacity-reservation product of that type: the query asks for
//   `capacitystatus=Used`, but the shape (terms.OnDemand.*.priceDimensions.*) is the same.
// - get-products-ebs-io1-ca-central-1.json: the GetProducts example of the AWS SDKs' API
//   documentation (botocore data/pricing/2017-10-15/examples-1.json, shown in boto3's
//   `Pricing.Client.get_products` reference): an EBS io1 volume product in ca-central-1,
//   priced per GB-month, with a NextToken.
// The RDS and snapshot products below are written in the same shape by hand; their prices are
// the us-east-1 list prices they stand for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchGetItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  GetProductsCommand,
  type GetProductsCommandOutput,
  PricingClient,
} from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Unit } from '../src/model.ts';
import {
  type PriceDeps,
  parsePriceList,
  priceKey,
  pricesFor,
  queryOf,
  snapshotKey,
  snapshotPrice,
  snapshotPrices,
} from '../src/pricing.ts';

const fixture = (name: string): GetProductsCommandOutput =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/pricing', name), 'utf8'));
const EC2_SAMPLE = fixture('get-products-ec2-c5ad.2xlarge-af-south-1.json');
const EBS_VOLUME_SAMPLE = fixture('get-products-ebs-io1-ca-central-1.json');

/** A product in the PriceList's shape, with one on-demand price dimension. */
const product = (
  attributes: Record<string, string>,
  usd: string,
  unit: 'Hrs' | 'GB-Mo' = 'Hrs',
  sku = 'SKU1',
): string =>
  JSON.stringify({
    product: { productFamily: 'x', attributes, sku },
    serviceCode: 'AmazonRDS',
    terms: {
      OnDemand: {
        [`${sku}.JRTCKXETXF`]: {
          priceDimensions: {
            [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: {
              unit,
              endRange: 'Inf',
              beginRange: '0',
              pricePerUnit: { USD: usd },
            },
          },
          sku,
          offerTermCode: 'JRTCKXETXF',
          termAttributes: {},
        },
      },
    },
  });

const pricingMock = mockClient(PricingClient);
const dynamoMock = mockClient(DynamoDBClient);

const TABLE = 'nightshift-history-staging';
const NOW = new Date('2026-11-30T07:00:00.000Z');
/** 2026-11-30T07:00:00Z and a week later, in epoch seconds (worked out with `date -d ... +%s`). */
const NOW_S = 1796022000;
const WEEK_LATER_S = 1796626800;

/** An RDS product's instance hours in the standard storage configuration (eu-west-1). */
const RDS_INSTANCE_HOURS = { usagetype: 'EU-InstanceUsage:db.t3.micro' };

const c5ad: Unit = { service: 'ec2', type: 'c5ad.2xlarge' };
const t3micro: Unit = { service: 'ec2', type: 't3.micro' };
const postgres: Unit = { service: 'rds', type: 'db.t3.micro', engine: 'postgres' };

const deps = (over: Partial<PriceDeps> = {}): PriceDeps => ({
  pricing: new PricingClient({ region: 'us-east-1' }),
  dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
  table: TABLE,
  now: NOW,
  ...over,
});

const cached = (
  region: string,
  sk: string,
  usd: string,
  expiresAt: number,
): Record<string, { S: string } | { N: string }> => ({
  pk: { S: `price#${region}` },
  sk: { S: sk },
  usd: { N: usd },
  unit: { S: 'Hrs' },
  fetchedAt: { S: '2026-11-28T07:00:00.000Z' },
  expiresAt: { N: String(expiresAt) },
});

const awsError = (name: string) => Object.assign(new Error(`${name}: no`), { name });

beforeEach(() => {
  pricingMock.reset();
  dynamoMock.reset();
  dynamoMock.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
  dynamoMock.on(PutItemCommand).resolves({});
  pricingMock.on(GetProductsCommand).resolves({ PriceList: [] });
});

describe('Parsing a GetProducts PriceList', () => {
  it('reads the hourly on-demand price of a real EC2 product', () => {
    expect(parsePriceList(EC2_SAMPLE.PriceList ?? [], 'Hrs')).toBe(0.468);
  });

  it('reads the GB-month price of a real EBS product, and no hourly price from it', () => {
    expect(parsePriceList(EBS_VOLUME_SAMPLE.PriceList ?? [], 'GB-Mo')).toBe(0.138);
    expect(parsePriceList(EBS_VOLUME_SAMPLE.PriceList ?? [], 'Hrs')).toBeUndefined();
  });

  it('takes the first product with the expected unit, not the lowest price', () => {
    const list = [
      product({}, '0.0600000000', 'GB-Mo', 'A'),
      product({}, '0.0240000000', 'Hrs', 'B'),
      product({}, '0.0120000000', 'Hrs', 'C'),
    ];
    expect(parsePriceList(list, 'Hrs')).toBe(0.024);
  });

  it('passes over a zero price and a price that is not a number', () => {
    const zero = product({}, '0.0000000000', 'Hrs', 'A');
    const notANumber = JSON.stringify({
      terms: { OnDemand: { t: { priceDimensions: { d: { unit: 'Hrs', pricePerUnit: {} } } } } },
    });
    expect(parsePriceList([zero, notANumber, product({}, '0.0104000000')], 'Hrs')).toBe(0.0104);
    expect(parsePriceList([zero, notANumber], 'Hrs')).toBeUndefined();
  });

  it('passes over entries that are not JSON, zero prices, and products not accepted', () => {
    const list = [
      'not json',
      '"a string"',
      product({ usagetype: 'EBS:SnapshotUsage' }, '0.0000000000', 'Hrs', 'A'),
      product({ usagetype: 'BoxUsage:t3.nano' }, '0.0052000000', 'Hrs', 'B'),
      product({ usagetype: 'BoxUsage:t3.micro' }, '0.0104000000', 'Hrs', 'C'),
    ];
    expect(
      parsePriceList(list, 'Hrs', (attributes) => attributes.usagetype === 'BoxUsage:t3.micro'),
    ).toBe(0.0104);
    expect(parsePriceList(['not json', JSON.stringify({ terms: null })], 'Hrs')).toBeUndefined();
    expect(parsePriceList([], 'Hrs')).toBeUndefined();
  });
});

describe('The GetProducts query of each kind of price', () => {
  it('EC2: the Linux, shared, no-software, used-capacity product of the type in the Region', () => {
    expect(queryOf({ region: 'eu-west-1', service: 'ec2', type: 't3.micro' })).toEqual({
      serviceCode: 'AmazonEC2',
      unit: 'Hrs',
      filters: [
        { Type: 'TERM_MATCH', Field: 'instanceType', Value: 't3.micro' },
        { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' },
        { Type: 'TERM_MATCH', Field: 'operatingSystem', Value: 'Linux' },
        { Type: 'TERM_MATCH', Field: 'tenancy', Value: 'Shared' },
        { Type: 'TERM_MATCH', Field: 'preInstalledSw', Value: 'NA' },
        { Type: 'TERM_MATCH', Field: 'capacitystatus', Value: 'Used' },
        { Type: 'TERM_MATCH', Field: 'licenseModel', Value: 'No License required' },
      ],
    });
  });

  it.each([
    ['postgres', 'PostgreSQL'],
    ['mysql', 'MySQL'],
    ['mariadb', 'MariaDB'],
    ['aurora-mysql', 'Aurora MySQL'],
    ['aurora-postgresql', 'Aurora PostgreSQL'],
  ])('RDS: engine %s is databaseEngine %s, Single-AZ', (engine, databaseEngine) => {
    expect(
      queryOf({ region: 'eu-west-1', service: 'rds', type: 'db.r6g.large', engine }),
    ).toMatchObject({
      serviceCode: 'AmazonRDS',
      unit: 'Hrs',
      filters: [
        { Type: 'TERM_MATCH', Field: 'instanceType', Value: 'db.r6g.large' },
        { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' },
        { Type: 'TERM_MATCH', Field: 'databaseEngine', Value: databaseEngine },
        { Type: 'TERM_MATCH', Field: 'deploymentOption', Value: 'Single-AZ' },
      ],
    });
  });

  it("RDS: takes the standard configuration's instance hours, not Aurora's I/O-Optimized ones", async () => {
    // The same class listed twice for Aurora: $0.26 I/O-Optimized first, then $0.20.
    pricingMock.on(GetProductsCommand).resolves({
      PriceList: [
        product(
          { usagetype: 'EU-InstanceUsageIOOptimized:db.r6g.large' },
          '0.2600000000',
          'Hrs',
          'IO',
        ),
        product({ usagetype: 'EU-StorageUsage' }, '0.1000000000', 'Hrs', 'ST'),
        product({ usagetype: 'EU-InstanceUsage:db.r6g.large' }, '0.2000000000', 'Hrs', 'STD'),
      ],
    });
    const aurora: Unit = { service: 'rds', type: 'db.r6g.large', engine: 'aurora-postgresql' };
    const { prices } = await pricesFor([{ unit: aurora, region: 'eu-west-1' }], deps());
    expect(prices.get('eu-west-1#rds#db.r6g.large#aurora-postgresql')).toBe(0.2);
  });

  it('RDS: an engine without a mapping, or none, has no query', () => {
    expect(
      queryOf({ region: 'eu-west-1', service: 'rds', type: 'db.m5.large', engine: 'oracle-ee' }),
    ).toBeUndefined();
    expect(
      queryOf({ region: 'eu-west-1', service: 'rds', type: 'db.m5.large', engine: 'constructor' }),
    ).toBeUndefined();
    expect(queryOf({ region: 'eu-west-1', service: 'rds', type: 'db.m5.large' })).toBeUndefined();
  });

  it('EBS snapshots: the Storage Snapshot products of the Region, only EBS:SnapshotUsage taken', () => {
    const query = queryOf({ region: 'eu-west-1', service: 'ebs-snapshot', type: '-' });
    expect(query).toMatchObject({
      serviceCode: 'AmazonEC2',
      unit: 'GB-Mo',
      filters: [
        { Type: 'TERM_MATCH', Field: 'productFamily', Value: 'Storage Snapshot' },
        { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' },
      ],
    });
    expect(query?.accept?.({ usagetype: 'EU-EBS:SnapshotUsage' })).toBe(true);
    expect(query?.accept?.({ usagetype: 'EBS:SnapshotUsage' })).toBe(true);
    expect(query?.accept?.({ usagetype: 'EU-EBS:SnapshotArchiveStorage' })).toBe(false);
    expect(query?.accept?.({ usagetype: 'EU-EBS:SnapshotUsageUnderBilling' })).toBe(false);
    expect(query?.accept?.({})).toBe(false);
  });
});

describe('Prices of units', () => {
  it('reads a price from the Price List API with the real EC2 answer', async () => {
    pricingMock.on(GetProductsCommand).resolves(EC2_SAMPLE);
    const result = await pricesFor([{ unit: c5ad, region: 'af-south-1' }], deps());
    expect(result).toEqual({
      prices: new Map([['af-south-1#ec2#c5ad.2xlarge#-', 0.468]]),
      unpriced: [],
      notes: [],
    });
    expect(priceKey(c5ad, 'af-south-1')).toBe('af-south-1#ec2#c5ad.2xlarge#-');
    expect(priceKey({ ...c5ad, engine: 'postgres' }, 'af-south-1')).toBe(
      'af-south-1#ec2#c5ad.2xlarge#-',
    );
    expect(pricingMock).toHaveReceivedCommandTimes(GetProductsCommand, 1);
    expect(pricingMock).toHaveReceivedCommandWith(GetProductsCommand, {
      ServiceCode: 'AmazonEC2',
      FormatVersion: 'aws_v1',
      Filters: expect.arrayContaining([
        { Type: 'TERM_MATCH', Field: 'instanceType', Value: 'c5ad.2xlarge' },
        { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'af-south-1' },
      ]),
    });
  });

  it('a cache miss is written to the history table for 7 days', async () => {
    pricingMock.on(GetProductsCommand).resolves(EC2_SAMPLE);
    await pricesFor([{ unit: c5ad, region: 'af-south-1' }], deps());
    expect(dynamoMock).toHaveReceivedCommandWith(BatchGetItemCommand, {
      RequestItems: {
        [TABLE]: { Keys: [{ pk: { S: 'price#af-south-1' }, sk: { S: 'ec2#c5ad.2xlarge#-' } }] },
      },
    });
    expect(dynamoMock).toHaveReceivedCommandTimes(PutItemCommand, 1);
    expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: TABLE,
      Item: {
        pk: { S: 'price#af-south-1' },
        sk: { S: 'ec2#c5ad.2xlarge#-' },
        usd: { N: '0.468' },
        unit: { S: 'Hrs' },
        fetchedAt: { S: '2026-11-30T07:00:00.000Z' },
        expiresAt: { N: String(WEEK_LATER_S) },
      },
    });
  });

  it('a cached price still valid is used without asking the Price List API', async () => {
    dynamoMock.on(BatchGetItemCommand).resolves({
      Responses: {
        [TABLE]: [
          cached('eu-west-1', 'ec2#t3.micro#-', '0.0114', NOW_S + 1),
          cached('eu-west-1', 'rds#db.t3.micro#postgres', '0.018', NOW_S + 3600),
        ],
      },
    });
    const result = await pricesFor(
      [
        { unit: t3micro, region: 'eu-west-1' },
        { unit: postgres, region: 'eu-west-1' },
      ],
      deps(),
    );
    expect(result.prices).toEqual(
      new Map([
        ['eu-west-1#ec2#t3.micro#-', 0.0114],
        ['eu-west-1#rds#db.t3.micro#postgres', 0.018],
      ]),
    );
    expect(pricingMock).not.toHaveReceivedCommand(GetProductsCommand);
    expect(dynamoMock).not.toHaveReceivedCommand(PutItemCommand);
    expect(dynamoMock).toHaveReceivedCommandTimes(BatchGetItemCommand, 1);
    expect(result.notes).toEqual([]);
  });

  it('an expired cached price (TTL deletes lazily) is asked for again and rewritten', async () => {
    dynamoMock.on(BatchGetItemCommand).resolves({
      Responses: { [TABLE]: [cached('eu-west-1', 'ec2#t3.micro#-', '0.0099', NOW_S)] },
    });
    pricingMock
      .on(GetProductsCommand)
      .resolves({ PriceList: [product({ usagetype: 'EU-BoxUsage:t3.micro' }, '0.0114000000')] });
    const result = await pricesFor([{ unit: t3micro, region: 'eu-west-1' }], deps());
    expect(result.prices.get(priceKey(t3micro, 'eu-west-1'))).toBe(0.0114);
    expect(pricingMock).toHaveReceivedCommandTimes(GetProductsCommand, 1);
    expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, {
      Item: expect.objectContaining({
        sk: { S: 'ec2#t3.micro#-' },
        usd: { N: '0.0114' },
        expiresAt: { N: String(WEEK_LATER_S) },
      }),
    });
  });

  it('a cached item for another key, or without a usable price, is not a hit', async () => {
    dynamoMock.on(BatchGetItemCommand).resolves({
      Responses: {
        [TABLE]: [
          cached('us-east-1', 'ec2#t3.micro#-', '0.0104', NOW_S + 3600),
          cached('eu-west-1', 'ec2#t3.micro#-', '0', NOW_S + 3600),
          { pk: { S: 'price#eu-west-1' }, sk: { S: 'ec2#t3.micro#-' } },
          {},
        ],
      },
      UnprocessedKeys: {},
    });
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [product({}, '0.0114000000')] });
    const result = await pricesFor([{ unit: t3micro, region: 'eu-west-1' }], deps());
    expect(result).toEqual({
      prices: new Map([['eu-west-1#ec2#t3.micro#-', 0.0114]]),
      unpriced: [],
      notes: [],
    });
    expect(pricingMock).toHaveReceivedCommandTimes(GetProductsCommand, 1);
    expect(dynamoMock).toHaveReceivedCommandTimes(BatchGetItemCommand, 1);
  });

  it('an answer of the cache or of the Price List API without its lists is no price', async () => {
    dynamoMock.on(BatchGetItemCommand).resolves({});
    pricingMock.on(GetProductsCommand).resolves({});
    const result = await pricesFor([{ unit: t3micro, region: 'eu-west-1' }], deps());
    expect(result).toEqual({
      prices: new Map(),
      unpriced: ['ec2 t3.micro in eu-west-1'],
      notes: [
        'No on-demand list price found for ec2 t3.micro in eu-west-1; counted in hours only.',
      ],
    });
    expect(pricingMock).toHaveReceivedCommandTimes(GetProductsCommand, 1);
  });

  it('keys DynamoDB did not process are asked for again', async () => {
    dynamoMock
      .on(BatchGetItemCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [] },
        UnprocessedKeys: {
          [TABLE]: { Keys: [{ pk: { S: 'price#eu-west-1' }, sk: { S: 'ec2#t3.micro#-' } }] },
        },
      })
      .resolves({
        Responses: { [TABLE]: [cached('eu-west-1', 'ec2#t3.micro#-', '0.0114', NOW_S + 60)] },
      });
    const result = await pricesFor([{ unit: t3micro, region: 'eu-west-1' }], deps());
    expect(result.prices.get(priceKey(t3micro, 'eu-west-1'))).toBe(0.0114);
    expect(dynamoMock).toHaveReceivedCommandTimes(BatchGetItemCommand, 2);
    expect(pricingMock).not.toHaveReceivedCommand(GetProductsCommand);
  });

  it('keys DynamoDB never processes are given up after 5 tries and asked for', async () => {
    dynamoMock.on(BatchGetItemCommand).resolves({
      Responses: { [TABLE]: [] },
      UnprocessedKeys: {
        [TABLE]: { Keys: [{ pk: { S: 'price#eu-west-1' }, sk: { S: 'ec2#t3.micro#-' } }] },
      },
    });
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [product({}, '0.0114000000')] });
    const result = await pricesFor([{ unit: t3micro, region: 'eu-west-1' }], deps());
    expect(dynamoMock).toHaveReceivedCommandTimes(BatchGetItemCommand, 5);
    expect(result.prices.get(priceKey(t3micro, 'eu-west-1'))).toBe(0.0114);
  });

  it('reads the cache 100 keys at a time', async () => {
    const units = Array.from({ length: 150 }, (_, index) => ({
      unit: { service: 'ec2', type: `t${index}.micro` } satisfies Unit,
      region: 'eu-west-1',
    }));
    await pricesFor(units, deps());
    const calls = dynamoMock.commandCalls(BatchGetItemCommand);
    expect(calls.map((call) => call.args[0].input.RequestItems?.[TABLE]?.Keys?.length)).toEqual([
      100, 50,
    ]);
  });

  it('asks for the same price once, however many units share it', async () => {
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [product({}, '0.0114000000')] });
    await pricesFor(
      [
        { unit: t3micro, region: 'eu-west-1' },
        { unit: { ...t3micro }, region: 'eu-west-1' },
        { unit: t3micro, region: 'us-east-1' },
      ],
      deps(),
    );
    expect(pricingMock).toHaveReceivedCommandTimes(GetProductsCommand, 2);
  });

  it('without a table, no cache is read or written', async () => {
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [product({}, '0.0114000000')] });
    const result = await pricesFor(
      [{ unit: t3micro, region: 'eu-west-1' }],
      deps({ table: undefined }),
    );
    expect(result.prices.get(priceKey(t3micro, 'eu-west-1'))).toBe(0.0114);
    expect(dynamoMock).not.toHaveReceivedCommand(BatchGetItemCommand);
    expect(dynamoMock).not.toHaveReceivedCommand(PutItemCommand);
  });

  it('a cache that cannot be read is a note; the prices are asked for', async () => {
    dynamoMock.on(BatchGetItemCommand).rejects(awsError('AccessDeniedException'));
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [product({}, '0.0114000000')] });
    const result = await pricesFor([{ unit: t3micro, region: 'eu-west-1' }], deps());
    expect(result.prices.get(priceKey(t3micro, 'eu-west-1'))).toBe(0.0114);
    expect(result.notes).toEqual([
      'The price cache could not be read (AccessDeniedException); prices were asked for.',
    ]);
  });

  it('a price that cannot be cached is still used, and logged', async () => {
    dynamoMock.on(PutItemCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [product({}, '0.0114000000')] });
    const warn = vi.fn();
    const result = await pricesFor(
      [{ unit: t3micro, region: 'eu-west-1' }],
      deps({ logger: { warn } }),
    );
    expect(result).toEqual({
      prices: new Map([['eu-west-1#ec2#t3.micro#-', 0.0114]]),
      unpriced: [],
      notes: [],
    });
    expect(warn).toHaveBeenCalledWith('Price not cached', {
      price: 'eu-west-1#ec2#t3.micro#-',
      error: 'ProvisionedThroughputExceededException: no',
    });
  });

  it('a price that cannot be cached is still used without a logger', async () => {
    dynamoMock.on(PutItemCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [product({}, '0.0114000000')] });
    const result = await pricesFor([{ unit: t3micro, region: 'eu-west-1' }], deps());
    expect(result.prices.get(priceKey(t3micro, 'eu-west-1'))).toBe(0.0114);
    expect(result.unpriced).toEqual([]);
  });

  it('a GetProducts failure leaves that type unpriced with a note, never throws', async () => {
    pricingMock
      .on(GetProductsCommand, { ServiceCode: 'AmazonEC2' })
      .rejects(awsError('AccessDeniedException'))
      .on(GetProductsCommand, { ServiceCode: 'AmazonRDS' })
      .resolves({ PriceList: [product(RDS_INSTANCE_HOURS, '0.0180000000')] });
    const result = await pricesFor(
      [
        { unit: t3micro, region: 'eu-west-1' },
        { unit: { service: 'ec2', type: 'm5.large' }, region: 'eu-west-1' },
        { unit: postgres, region: 'eu-west-1' },
      ],
      deps(),
    );
    expect(result).toEqual({
      prices: new Map([['eu-west-1#rds#db.t3.micro#postgres', 0.018]]),
      unpriced: ['ec2 t3.micro in eu-west-1', 'ec2 m5.large in eu-west-1'],
      notes: [
        'The Price List API could not be read (AccessDeniedException) for ec2 t3.micro in eu-west-1, ec2 m5.large in eu-west-1; counted in hours only.',
      ],
    });
    expect(dynamoMock).toHaveReceivedCommandTimes(PutItemCommand, 1);
  });

  it('a type the Price List API has no price for is unpriced with a note', async () => {
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [] });
    const result = await pricesFor(
      [
        { unit: t3micro, region: 'eu-west-1' },
        { unit: t3micro, region: 'us-east-1' },
      ],
      deps(),
    );
    expect(result).toEqual({
      prices: new Map(),
      unpriced: ['ec2 t3.micro in eu-west-1', 'ec2 t3.micro in us-east-1'],
      notes: [
        'No on-demand list price found for ec2 t3.micro in eu-west-1, ec2 t3.micro in us-east-1; counted in hours only.',
      ],
    });
    expect(pricingMock).toHaveReceivedCommandTimes(GetProductsCommand, 2);
    expect(dynamoMock).not.toHaveReceivedCommand(PutItemCommand);
  });

  it('an RDS engine without a mapping is unpriced with a note, and not asked for', async () => {
    const oracle: Unit = { service: 'rds', type: 'db.m5.large', engine: 'oracle-ee' };
    const unknown: Unit = { service: 'rds', type: 'db.m5.large' };
    const result = await pricesFor(
      [
        { unit: oracle, region: 'eu-west-1' },
        { unit: oracle, region: 'us-east-1' },
        { unit: unknown, region: 'eu-west-1' },
      ],
      deps(),
    );
    expect(result).toEqual({
      prices: new Map(),
      unpriced: [
        'rds db.m5.large (oracle-ee) in eu-west-1',
        'rds db.m5.large (oracle-ee) in us-east-1',
        'rds db.m5.large in eu-west-1',
      ],
      notes: [
        'RDS engine oracle-ee has no list price here; counted in hours only.',
        'RDS databases whose engine is unknown have no list price; counted in hours only.',
      ],
    });
    expect(pricingMock).not.toHaveReceivedCommand(GetProductsCommand);
    expect(dynamoMock).not.toHaveReceivedCommand(BatchGetItemCommand);
  });

  it('an RDS price is cached under its engine', async () => {
    pricingMock
      .on(GetProductsCommand)
      .resolves({ PriceList: [product(RDS_INSTANCE_HOURS, '0.0180000000')] });
    await pricesFor([{ unit: postgres, region: 'eu-west-1' }], deps());
    expect(pricingMock).toHaveReceivedCommandWith(GetProductsCommand, {
      ServiceCode: 'AmazonRDS',
      Filters: expect.arrayContaining([
        { Type: 'TERM_MATCH', Field: 'databaseEngine', Value: 'PostgreSQL' },
      ]),
    });
    expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, {
      Item: expect.objectContaining({
        pk: { S: 'price#eu-west-1' },
        sk: { S: 'rds#db.t3.micro#postgres' },
        usd: { N: '0.018' },
      }),
    });
  });

  it('never has more than 4 GetProducts calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    pricingMock.on(GetProductsCommand).callsFake(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return { PriceList: [product({}, '0.0100000000')] };
    });
    const units = Array.from({ length: 10 }, (_, index) => ({
      unit: { service: 'ec2', type: `m${index}.large` } satisfies Unit,
      region: 'eu-west-1',
    }));
    const result = await pricesFor(units, deps());
    expect(result.prices.size).toBe(10);
    expect(most).toBe(4);
  });
});

describe('EBS snapshot prices', () => {
  const snapshotProduct = product(
    { usagetype: 'EU-EBS:SnapshotUsage', regionCode: 'eu-west-1' },
    '0.0500000000',
    'GB-Mo',
  );

  it('takes the EBS:SnapshotUsage product, paging past other products (a real one first)', async () => {
    pricingMock
      .on(GetProductsCommand)
      .resolvesOnce(EBS_VOLUME_SAMPLE)
      .resolves({ PriceList: [snapshotProduct] });
    const result = await snapshotPrices(['eu-west-1'], deps());
    expect(result).toEqual({ prices: new Map([['eu-west-1', 0.05]]), unpriced: [], notes: [] });
    expect(pricingMock).toHaveReceivedCommandTimes(GetProductsCommand, 2);
    expect(pricingMock).toHaveReceivedNthCommandWith(GetProductsCommand, 2, {
      NextToken: EBS_VOLUME_SAMPLE.NextToken,
    });
    expect(dynamoMock).toHaveReceivedCommandWith(PutItemCommand, {
      Item: expect.objectContaining({
        pk: { S: 'price#eu-west-1' },
        sk: { S: 'ebs-snapshot#-#-' },
        usd: { N: '0.05' },
        unit: { S: 'GB-Mo' },
      }),
    });
  });

  it('stops after 5 pages without a snapshot product: no price, a note', async () => {
    pricingMock.on(GetProductsCommand).resolves(EBS_VOLUME_SAMPLE);
    const result = await snapshotPrices(['ca-central-1'], deps());
    expect(result).toEqual({
      prices: new Map(),
      unpriced: ['EBS snapshots in ca-central-1'],
      notes: [
        'No on-demand list price found for EBS snapshots in ca-central-1; counted in hours only.',
      ],
    });
    expect(pricingMock).toHaveReceivedCommandTimes(GetProductsCommand, 5);
  });

  it('a cached snapshot price is used', async () => {
    dynamoMock.on(BatchGetItemCommand).resolves({
      Responses: { [TABLE]: [cached('eu-west-1', 'ebs-snapshot#-#-', '0.05', NOW_S + 60)] },
    });
    expect(await snapshotPrice('eu-west-1', deps())).toBe(0.05);
    expect(snapshotKey('eu-west-1')).toBe('eu-west-1#ebs-snapshot#-#-');
    expect(pricingMock).not.toHaveReceivedCommand(GetProductsCommand);
  });

  it('a failure gives no snapshot price, never an error', async () => {
    pricingMock.on(GetProductsCommand).rejects(awsError('ThrottlingException'));
    expect(await snapshotPrice('eu-west-1', deps())).toBeUndefined();
  });
});
