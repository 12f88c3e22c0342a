import {
  CreateTableCommand,
  type DynamoDBClient,
  ScanCommand,
  UpdateItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DescribeTagsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createKeyedTable } from '@nightshift/testing';

/** A response of chat-actions: the Function URL's response object. */
export interface UrlResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The actions table as the template makes it: one string key `pk`. */
export const createActionsTable = async (dynamodb: DynamoDBClient, name: string) => {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: name });
};

/** The runs table of a fan-out as the template makes it: string keys `pk` and `sk`. */
export const createRunsTable = (dynamodb: DynamoDBClient, name: string) =>
  createKeyedTable(dynamodb, name);

/** A link key secret with one version; its ARN, version id (the key id) and value. */
export const createLinkKey = async (secrets: SecretsManagerClient, name: string) => {
  const secret = 'L'.repeat(32) + 'k'.repeat(32);
  const created = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: secret }));
  return { arn: created.ARN ?? '', key: { id: created.VersionId ?? '', secret } };
};

/**
 * A Function URL request (payload format 2.0) as Lambda passes it: a GET with the token in
 * the query string, or the confirmation form's POST with it in a base64 body.
 */
export const urlEvent = (method: 'GET' | 'POST', token: string) => {
  const form = `t=${encodeURIComponent(token)}`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: method === 'GET' ? form : '',
    ...(method === 'GET' ? { queryStringParameters: { t: token } } : {}),
    headers: {
      host: 'abc123.lambda-url.us-east-1.on.aws',
      'user-agent': 'integration-test/1.0',
      ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abc123',
      domainName: 'abc123.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abc123',
      http: {
        method,
        path: '/',
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.7',
        userAgent: 'integration-test/1.0',
      },
      requestId: 'c0ffee00-0000-4000-8000-000000000000',
      routeKey: '$default',
      stage: '$default',
      time: '02/Mar/2026:17:30:00 +0000',
      timeEpoch: 1772472600000,
    },
    ...(method === 'POST' ? { body: Buffer.from(form).toString('base64') } : {}),
    isBase64Encoded: method === 'POST',
  };
};

/** The tags of an instance, as a record. */
export const instanceTags = async (ec2: EC2Client, id: string): Promise<Record<string, string>> => {
  const { Tags = [] } = await ec2.send(
    new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }),
  );
  return Object.fromEntries(Tags.map(({ Key = '', Value = '' }) => [Key, Value]));
};

/** The records of the actions table: key → state (`pending`, `done`; `none` without one). */
export const recordStates = async (
  dynamodb: DynamoDBClient,
  table: string,
): Promise<Record<string, string>> => {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: table }));
  return Object.fromEntries(
    Items.map((item) => [item.pk?.S ?? '', item.state?.S ?? 'none']).sort(([a], [b]) =>
      String(a).localeCompare(String(b)),
    ),
  );
};

/**
 * Moves the lease of every pending record into the past: the table as it is once the
 * invocation that claimed them (and was killed) would have timed out.
 */
export const expireLeases = async (dynamodb: DynamoDBClient, table: string): Promise<void> => {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: table }));
  for (const item of Items.filter((record) => record.state?.S === 'pending')) {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: item.pk ?? { S: '' } },
        UpdateExpression: 'SET leaseUntil = :past',
        ExpressionAttributeValues: { ':past': { N: '0' } },
      }),
    );
  }
};
