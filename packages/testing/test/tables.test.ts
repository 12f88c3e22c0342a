import { readFileSync } from 'node:fs';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createKeyedTable } from '../src/tables.ts';

const dynamodbMock = mockClient(DynamoDBClient);
const dynamodb = new DynamoDBClient({ region: 'us-east-1' });
afterEach(() => {
  dynamodbMock.reset();
});

const active = { Table: { TableName: 'nightshift-history-test', TableStatus: 'ACTIVE' } } as const;

/** The template's resources (its `!Sub` names left as they are). */
const template = parse(readFileSync(new URL('../../../template.yaml', import.meta.url), 'utf8'), {
  logLevel: 'error',
}) as { Resources: Record<string, { Properties: CreateTableCommandInput }> };

describe('createKeyedTable', () => {
  it('creates an on-demand table keyed by the strings pk and sk', async () => {
    // Prepare
    dynamodbMock.on(CreateTableCommand).resolves({});
    dynamodbMock.on(DescribeTableCommand).resolves(active);

    // Act
    await createKeyedTable(dynamodb, 'nightshift-history-test');

    // Assess
    expect(dynamodbMock).toHaveReceivedCommandTimes(CreateTableCommand, 1);
    expect(dynamodbMock.commandCalls(CreateTableCommand)[0]?.args[0].input).toEqual({
      TableName: 'nightshift-history-test',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
  });

  it.each(['RunsTable', 'HistoryTable'])(
    'keys the table as the template keys its %s',
    async (resource) => {
      // Prepare
      dynamodbMock.on(CreateTableCommand).resolves({});
      dynamodbMock.on(DescribeTableCommand).resolves(active);
      const properties = template.Resources[resource]?.Properties;

      // Act
      await createKeyedTable(dynamodb, 'nightshift-runs-test');

      // Assess
      expect(properties).toBeDefined();
      const input = dynamodbMock.commandCalls(CreateTableCommand)[0]?.args[0].input;
      expect(input?.BillingMode).toBe(properties?.BillingMode);
      expect(input?.KeySchema).toEqual(properties?.KeySchema);
      expect(input?.AttributeDefinitions).toEqual(properties?.AttributeDefinitions);
    },
  );

  it('resolves only once the table is there, ready for reads and writes', async () => {
    // Prepare
    let answer: (output: Partial<DescribeTableCommandOutput>) => void = () => {};
    dynamodbMock.on(CreateTableCommand).resolves({});
    dynamodbMock.on(DescribeTableCommand).callsFake(
      () =>
        new Promise((resolve) => {
          answer = resolve;
        }),
    );
    let created = false;

    // Act
    const creating = createKeyedTable(dynamodb, 'nightshift-history-test').then(() => {
      created = true;
    });
    await expect.poll(() => dynamodbMock.commandCalls(DescribeTableCommand).length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const beforeAnswer = created;
    answer(active);
    await creating;

    // Assess
    expect(beforeAnswer).toBe(false);
    expect(created).toBe(true);
    expect(dynamodbMock).toHaveReceivedCommandWith(DescribeTableCommand, {
      TableName: 'nightshift-history-test',
    });
  });

  it('fails when the table cannot be created, without waiting for it', async () => {
    // Prepare
    dynamodbMock
      .on(CreateTableCommand)
      .rejects(new ResourceInUseException({ message: 'Table already exists', $metadata: {} }));

    // Act
    const creating = createKeyedTable(dynamodb, 'nightshift-history-test');

    // Assess
    await expect(creating).rejects.toThrow('Table already exists');
    expect(dynamodbMock).not.toHaveReceivedCommand(DescribeTableCommand);
  });
});
