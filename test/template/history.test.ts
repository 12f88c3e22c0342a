import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { listFunctions } from '../../scripts/lib/functions.ts';
import { classify, spokeFunctions } from '../../scripts/template/spoke.ts';
import { parseTemplate } from './cfnYaml.ts';

const root = resolve(import.meta.dirname, '../..');
const hubText = readFileSync(join(root, 'template.yaml'), 'utf8');
const template = parseTemplate(hubText);
const spokeText = readFileSync(join(root, 'spoke.yaml'), 'utf8');
/** The jobs that change resources in an account: each run of theirs is recorded. */
const jobs = listFunctions(root).filter((fn) => fn.fanout);

type Statement = Record<string, unknown> & {
  Sid?: string;
  Condition?: Record<string, Record<string, unknown>>;
};
const propertiesOf = (logicalId: string) => {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`${logicalId} is not in template.yaml`);
  return found.Properties ?? {};
};
/** Every statement of every function, plainly or under !If, with the function's logical id. */
const allStatements = (): (Statement & { id: string })[] =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
    .flatMap(([id, resource]) =>
      ((resource.Properties?.Policies ?? []) as { Statement?: Statement[] }[])
        .flatMap((policy) => policy.Statement ?? [])
        .map((statement) =>
          'Fn::If' in statement
            ? ((statement['Fn::If'] as Statement[])[1] as Statement)
            : statement,
        )
        .map((statement) => ({ ...statement, id })),
    );
const actionsOf = (statement: Statement): string[] => [statement.Action].flat() as string[];

describe('the run history in template.yaml', () => {
  it('is a table of every stack, on demand, with TTL on expiresAt and point-in-time recovery', () => {
    // Act
    const table = template.Resources.HistoryTable as Record<string, unknown>;

    // Assess: unlike the runs table, it exists without a fan-out too.
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.Condition).toBeUndefined();
    expect(table.Properties).toMatchObject({
      TableName: { 'Fn::Sub': 'nightshift-history-${Environment}' },
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect((table.Properties as { Tags: { Key: string; Value: unknown }[] }).Tags).toContainEqual({
      Key: 'Environment',
      Value: { Ref: 'Environment' },
    });
  });

  it('keeps records 400 days unless HistoryRetentionDays says otherwise, at least one', () => {
    // Assess
    expect(template.Parameters?.HistoryRetentionDays).toMatchObject({
      Type: 'Number',
      Default: 400,
      MinValue: 1,
    });
  });

  it("names every function's environment in its records", () => {
    // Act
    const variables = (
      template.Globals?.Function?.Environment as { Variables: Record<string, unknown> } | undefined
    )?.Variables;

    // Assess
    expect(variables?.NIGHTSHIFT_ENVIRONMENT).toEqual({ Ref: 'Environment' });
  });

  it.each(jobs.map((fn) => [fn.name, fn.resource]))(
    'gives %s the table and its retention',
    (_, resource) => {
      // Act
      const variables = (
        propertiesOf(`${resource}Function`).Environment as { Variables: Record<string, unknown> }
      ).Variables;

      // Assess
      expect(variables.HISTORY_TABLE).toEqual({ Ref: 'HistoryTable' });
      expect(variables.HISTORY_RETENTION_DAYS).toEqual({ Ref: 'HistoryRetentionDays' });
    },
  );

  it.each(jobs.map((fn) => [fn.name, fn.resource]))(
    'lets %s put records in the record partitions of the table, and nothing else there',
    (_, resource) => {
      // Act
      const own = allStatements().filter((statement) => statement.id === `${resource}Function`);
      const onTheTable = own.filter((statement) =>
        JSON.stringify(statement.Resource).includes('HistoryTable'),
      );

      // Assess
      expect(onTheTable.map(({ id: _, ...statement }) => statement)).toEqual([
        {
          Sid: 'WriteRunHistory',
          Effect: 'Allow',
          Action: 'dynamodb:PutItem',
          Resource: { 'Fn::GetAtt': ['HistoryTable', 'Arn'] },
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['history#*'] } },
        },
      ]);
    },
  );

  it('lets no function near the table without naming the partitions it may touch', () => {
    // Act
    const onTheTable = allStatements().filter((statement) =>
      JSON.stringify(statement.Resource).includes('HistoryTable'),
    );

    // Assess: a LeadingKeys list under ForAllValues, never empty (an empty set would match all).
    expect(onTheTable.length).toBeGreaterThanOrEqual(jobs.length);
    for (const statement of onTheTable) {
      const keys = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
      expect(keys, `${statement.id} ${statement.Sid}`).toEqual(
        expect.arrayContaining([expect.stringMatching(/^[a-z-]+#\*$/)]),
      );
      expect(actionsOf(statement), statement.Sid).not.toContain('dynamodb:DeleteItem');
      expect(actionsOf(statement), statement.Sid).not.toContain('dynamodb:*');
    }
  });

  it.each(spokeFunctions(root))(
    "keeps %s's write in the hub: the record goes to the hub's table with the function's own role",
    (name) => {
      // Act
      const { hubOnly } = classify(parseDocument(hubText), name);

      // Assess
      expect(hubOnly.map(({ sid }) => sid)).toContain('WriteRunHistory');
      expect(spokeText).not.toContain('WriteRunHistory');
      expect(spokeText).not.toContain('HistoryTable');
    },
  );
});
