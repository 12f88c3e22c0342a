import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type Filter, GetProductsCommand, type PricingClient } from '@aws-sdk/client-pricing';
import { asError, DAY_MS, mapSettled } from '@nightshift/runtime';
import type { Unit } from './model.ts';

/** What a price is of: an instance type (EC2 or RDS) or the EBS snapshot storage of a Region. */
export interface PriceOf {
  region: string;
  service: 'ec2' | 'rds' | 'ebs-snapshot';
  /** The instance type or DB instance class; `-` for snapshots. */
  type: string;
  /** RDS only. */
  engine?: string;
}

/** What reading prices needs: the Price List API and, optionally, the cache table. */
export interface PriceDeps {
  /** A client in the Price List API's Region (`PRICING_REGION`, us-east-1 by default). */
  pricing: PricingClient;
  /** The cache is the history table: without a client and a table, every price is asked for. */
  dynamodb?: DynamoDBClient;
  table?: string | undefined;
  now: Date;
  /** Told why a price could not be cached (the report goes on). */
  logger?: { warn: (message: string, ...extra: Record<string, unknown>[]) => void };
  /** GetProducts calls in flight at once (4 by default). */
  concurrency?: number;
}

interface Cache {
  dynamodb: DynamoDBClient;
  table: string;
}

/** Prices read, keyed by `priceKey`, and what could not be priced. */
export interface Prices {
  /** USD per hour (instances) or per GB-month (snapshots), keyed by `priceKey`. */
  prices: Map<string, number>;
  /** What has no price, as people read it (`ec2 t3.micro in eu-west-1`). */
  unpriced: string[];
  /** Why prices are missing, for the report's notes. */
  notes: string[];
}

/** How long a cached price counts. */
export const PRICE_CACHE_DAYS = 7;
const CONCURRENCY = 4;
const BATCH_GET_MAX = 100;
const BATCH_GET_ATTEMPTS = 5;
/** GetProducts pages read for one price at most (a filtered query gives a handful of products). */
const MAX_PAGES = 5;

/**
 * The Price List API's `databaseEngine` of each RDS engine Nightshift prices; other engines
 * (licensed ones: Oracle, SQL Server) have no price.
 */
export const RDS_ENGINES: Readonly<Record<string, string>> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  'aurora-mysql': 'Aurora MySQL',
  'aurora-postgresql': 'Aurora PostgreSQL',
};

const asPriceOf = (unit: Unit, region: string): PriceOf => ({
  region,
  service: unit.service,
  type: unit.type,
  ...(unit.service === 'rds' && unit.engine ? { engine: unit.engine } : {}),
});

/** The cache item's sort key: `<service>#<type>#<engine or ->`. */
const sortKey = (of: PriceOf): string => `${of.service}#${of.type}#${of.engine ?? '-'}`;
const keyOf = (of: PriceOf): string => `${of.region}#${sortKey(of)}`;

/**
 * The key of a unit's price in a Region, as in `Prices.prices`.
 *
 * @example
 * priceKey({ service: 'rds', type: 'db.t3.micro', engine: 'postgres' }, 'eu-west-1');
 * // → 'eu-west-1#rds#db.t3.micro#postgres'
 */
export const priceKey = (unit: Unit, region: string): string => keyOf(asPriceOf(unit, region));

/** The EBS snapshot storage price's key in a Region. */
export const snapshotKey = (region: string): string =>
  keyOf({ region, service: 'ebs-snapshot', type: '-' });

/** How a person reads what has no price. */
const label = (of: PriceOf): string =>
  of.service === 'ebs-snapshot'
    ? `EBS snapshots in ${of.region}`
    : `${of.service} ${of.type}${of.engine ? ` (${of.engine})` : ''} in ${of.region}`;

const term = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value });

interface Query {
  serviceCode: string;
  filters: Filter[];
  unit: 'Hrs' | 'GB-Mo';
  accept?: (attributes: Record<string, unknown>) => boolean;
}

/** The GetProducts query of a price; undefined when it has none (an RDS engine without a mapping). */
export const queryOf = (of: PriceOf): Query | undefined => {
  const region = term('regionCode', of.region);
  switch (of.service) {
    case 'ec2':
      return {
        serviceCode: 'AmazonEC2',
        unit: 'Hrs',
        filters: [
          term('instanceType', of.type),
          region,
          term('operatingSystem', 'Linux'),
          term('tenancy', 'Shared'),
          term('preInstalledSw', 'NA'),
          term('capacitystatus', 'Used'),
          term('licenseModel', 'No License required'),
        ],
      };
    case 'rds': {
      const name = of.engine ?? '';
      const engine = Object.hasOwn(RDS_ENGINES, name) ? RDS_ENGINES[name] : undefined;
      if (!engine) return undefined;
      return {
        serviceCode: 'AmazonRDS',
        unit: 'Hrs',
        filters: [
          term('instanceType', of.type),
          region,
          term('databaseEngine', engine),
          term('deploymentOption', 'Single-AZ'),
        ],
        // The instance hours of the standard storage configuration: Aurora lists the same
        // class twice, the I/O-Optimized one about 30 % dearer.
        accept: (attributes) =>
          typeof attributes.usagetype === 'string' &&
          attributes.usagetype.includes('InstanceUsage') &&
          !attributes.usagetype.includes('IOOptimized'),
      };
    }
    case 'ebs-snapshot':
      return {
        serviceCode: 'AmazonEC2',
        unit: 'GB-Mo',
        filters: [term('productFamily', 'Storage Snapshot'), region],
        accept: (attributes) =>
          typeof attributes.usagetype === 'string' &&
          attributes.usagetype.endsWith('EBS:SnapshotUsage'),
      };
  }
};

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

/**
 * The on-demand price in a GetProducts `PriceList` (JSON strings): of the first product
 * `accept`ed, the first price dimension with the expected unit and a price above 0
 * (`terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD`). Undefined when there is none;
 * an entry that is not JSON is passed over.
 *
 * @example
 * parsePriceList(output.PriceList ?? [], 'Hrs'); // → 0.0104
 */
export const parsePriceList = (
  priceList: readonly string[],
  unit: 'Hrs' | 'GB-Mo',
  accept: (attributes: Record<string, unknown>) => boolean = () => true,
): number | undefined => {
  for (const entry of priceList) {
    let product: Record<string, unknown>;
    try {
      product = record(JSON.parse(entry));
    } catch {
      continue;
    }
    if (!accept(record(record(product.product).attributes))) continue;
    for (const offer of Object.values(record(record(product.terms).OnDemand))) {
      for (const dimension of Object.values(record(record(offer).priceDimensions))) {
        const { unit: dimensionUnit, pricePerUnit } = record(dimension);
        const usd = Number(record(pricePerUnit).USD);
        if (dimensionUnit === unit && usd > 0) return usd;
      }
    }
  }
  return undefined;
};

/** The price of a query, reading more pages while none matched; undefined when none did. */
const fetchPrice = async (pricing: PricingClient, query: Query): Promise<number | undefined> => {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const output = await pricing.send(
      new GetProductsCommand({
        ServiceCode: query.serviceCode,
        Filters: query.filters,
        FormatVersion: 'aws_v1',
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    const usd = parsePriceList(output.PriceList ?? [], query.unit, query.accept);
    if (usd !== undefined) return usd;
    nextToken = output.NextToken;
    if (!nextToken) break;
  }
  return undefined;
};

const cacheKey = (of: PriceOf): Record<string, AttributeValue> => ({
  pk: { S: `price#${of.region}` },
  sk: { S: sortKey(of) },
});

/** The cached prices still valid at `now`, by key; a failed read is a note and no hits. */
const readCache = async (
  cache: Cache,
  wanted: readonly PriceOf[],
  now: Date,
  notes: string[],
): Promise<Map<string, number>> => {
  const hits = new Map<string, number>();
  const bySortKey = new Map(wanted.map((of) => [`price#${of.region}|${sortKey(of)}`, of]));
  const nowSeconds = Math.floor(now.getTime() / 1000);
  try {
    const chunks = Array.from({ length: Math.ceil(wanted.length / BATCH_GET_MAX) }, (_, index) =>
      wanted.slice(index * BATCH_GET_MAX, (index + 1) * BATCH_GET_MAX),
    );
    for (const chunk of chunks) {
      let keys = chunk.map(cacheKey);
      for (let attempt = 0; keys.length > 0 && attempt < BATCH_GET_ATTEMPTS; attempt += 1) {
        const output: BatchGetItemCommandOutput = await cache.dynamodb.send(
          new BatchGetItemCommand({ RequestItems: { [cache.table]: { Keys: keys } } }),
        );
        for (const item of output.Responses?.[cache.table] ?? []) {
          const of = bySortKey.get(`${item.pk?.S}|${item.sk?.S}`);
          const usd = Number(item.usd?.N);
          const expiresAt = Number(item.expiresAt?.N);
          if (of && usd > 0 && expiresAt > nowSeconds) hits.set(keyOf(of), usd);
        }
        keys = output.UnprocessedKeys?.[cache.table]?.Keys ?? [];
      }
    }
  } catch (error) {
    notes.push(
      `The price cache could not be read (${asError(error).name}); prices were asked for.`,
    );
  }
  return hits;
};

const writeCache = async (
  cache: Cache,
  of: PriceOf,
  usd: number,
  unit: string,
  now: Date,
): Promise<void> => {
  await cache.dynamodb.send(
    new PutItemCommand({
      TableName: cache.table,
      Item: {
        ...cacheKey(of),
        usd: { N: String(usd) },
        unit: { S: unit },
        fetchedAt: { S: now.toISOString() },
        expiresAt: {
          N: String(Math.floor((now.getTime() + PRICE_CACHE_DAYS * DAY_MS) / 1000)),
        },
      },
    }),
  );
};

/** Reads the prices of `wanted` (cache first, then the Price List API); never throws. */
const lookUp = async (wanted: readonly PriceOf[], deps: PriceDeps): Promise<Prices> => {
  const unique = [...new Map(wanted.map((of) => [keyOf(of), of])).values()];
  const prices = new Map<string, number>();
  const unpriced: string[] = [];
  const notes: string[] = [];

  const queryable: { of: PriceOf; query: Query }[] = [];
  const unmapped = new Set<string | undefined>();
  for (const of of unique) {
    const query = queryOf(of);
    if (query) queryable.push({ of, query });
    else {
      unpriced.push(label(of));
      unmapped.add(of.engine);
    }
  }
  for (const engine of unmapped)
    notes.push(
      engine === undefined
        ? 'RDS databases whose engine is unknown have no list price; counted in hours only.'
        : `RDS engine ${engine} has no list price here; counted in hours only.`,
    );

  const cache: Cache | undefined =
    deps.dynamodb && deps.table ? { dynamodb: deps.dynamodb, table: deps.table } : undefined;
  const cached = cache
    ? await readCache(
        cache,
        queryable.map(({ of }) => of),
        deps.now,
        notes,
      )
    : new Map<string, number>();
  for (const [key, usd] of cached) prices.set(key, usd);

  const misses = queryable.filter(({ of }) => !cached.has(keyOf(of)));
  const { succeeded, failed } = await mapSettled(
    misses,
    async ({ of, query }) => {
      const usd = await fetchPrice(deps.pricing, query);
      if (usd !== undefined && cache) {
        try {
          await writeCache(cache, of, usd, query.unit, deps.now);
        } catch (error) {
          // Read again from the Price List API next time; the report goes on.
          deps.logger?.warn('Price not cached', {
            price: keyOf(of),
            error: asError(error).message,
          });
        }
      }
      return usd;
    },
    { concurrency: deps.concurrency ?? CONCURRENCY },
  );

  const notFound: string[] = [];
  for (const { item, value } of succeeded) {
    if (value === undefined) notFound.push(label(item.of));
    else prices.set(keyOf(item.of), value);
  }
  const failures = new Map<string, string[]>();
  for (const { item, error } of failed)
    failures.set(error.name, [...(failures.get(error.name) ?? []), label(item.of)]);
  unpriced.push(...notFound, ...[...failures.values()].flat());
  if (notFound.length > 0)
    notes.push(`No on-demand list price found for ${notFound.join(', ')}; counted in hours only.`);
  for (const [reason, labels] of failures)
    notes.push(
      `The Price List API could not be read (${reason}) for ${labels.join(', ')}; counted in hours only.`,
    );
  return { prices, unpriced, notes };
};

/**
 * The on-demand hourly prices (USD) of units in their Regions: from the cache in the history
 * table while fresh (a week), otherwise from the Price List API (`GetProducts`, at most 4
 * calls at once) and cached. Never throws: what cannot be priced is listed in `unpriced`,
 * with why in `notes`.
 *
 * @example
 * const { prices, unpriced, notes } = await pricesFor([{ unit, region: 'eu-west-1' }], deps);
 * prices.get(priceKey(unit, 'eu-west-1')); // → 0.0114
 */
export const pricesFor = async (
  units: readonly { unit: Unit; region: string }[],
  deps: PriceDeps,
): Promise<Prices> =>
  lookUp(
    units.map(({ unit, region }) => asPriceOf(unit, region)),
    deps,
  );

/**
 * The EBS snapshot storage price (USD per GB-month) of Regions, keyed by Region. Never
 * throws, like `pricesFor`.
 *
 * @example
 * const { prices } = await snapshotPrices(['eu-west-1'], deps); // prices.get('eu-west-1') → 0.05
 */
export const snapshotPrices = async (
  regions: readonly string[],
  deps: PriceDeps,
): Promise<Prices> => {
  const result = await lookUp(
    regions.map((region) => ({ region, service: 'ebs-snapshot', type: '-' })),
    deps,
  );
  const byRegion = new Map<string, number>();
  for (const region of regions) {
    const usd = result.prices.get(snapshotKey(region));
    if (usd !== undefined) byRegion.set(region, usd);
  }
  return { ...result, prices: byRegion };
};

/**
 * The EBS snapshot storage price (USD per GB-month) in one Region, undefined when it could
 * not be read.
 */
export const snapshotPrice = async (region: string, deps: PriceDeps): Promise<number | undefined> =>
  (await snapshotPrices([region], deps)).prices.get(region);
