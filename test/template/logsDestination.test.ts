import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from './cfnYaml.ts';

const root = resolve(import.meta.dirname, '../..');
const template = parseTemplate(readFileSync(join(root, 'template.yaml'), 'utf8'));

type Resource = {
  Type: string;
  Condition?: string;
  Properties?: Record<string, unknown>;
};
const resource = (logicalId: string): Resource => {
  const found = template.Resources[logicalId] as Resource | undefined;
  if (!found) throw new Error(`${logicalId} is not in template.yaml`);
  return found;
};

const CONDITION = 'ServesOrganizationLogs';
const NEW_RESOURCES = [
  'LogsDestinationStream',
  'LogsDestinationRole',
  'LogsDestination',
  'LogProcessorStreamMapping',
];

type Statement = Record<string, unknown>;

/** log-processor's statements, each with the condition it is under (Fn::If), if any. */
const functionStatements = (): { condition?: string; statement: Statement }[] => {
  const policies = resource('LogProcessorFunction').Properties?.Policies as {
    Statement: Statement[];
  }[];
  return policies.flatMap((policy) =>
    policy.Statement.map((statement) => {
      if (!('Fn::If' in statement)) return { statement };
      const [condition, then, otherwise] = statement['Fn::If'] as [string, Statement, unknown];
      expect(otherwise).toEqual({ Ref: 'AWS::NoValue' });
      return { condition, statement: then };
    }),
  );
};

describe('The organization logs destination', () => {
  it('is off unless LogsOrganizationId names an organization', () => {
    // Assess
    expect(template.Parameters?.LogsOrganizationId).toMatchObject({
      Type: 'String',
      Default: '',
      AllowedPattern: '^(o-[a-z0-9]{10,32})?$',
    });
    const pattern = new RegExp(String(template.Parameters?.LogsOrganizationId?.AllowedPattern));
    expect(['', 'o-a1b2c3d4e5'].every((id) => pattern.test(id))).toBe(true);
    expect(
      ['o-short', 'r-a1b2c3d4e5', '*', 'o-a1b2c3d4e5,o-b'].some((id) => pattern.test(id)),
    ).toBe(false);
    expect(template.Conditions?.[CONDITION]).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'LogsOrganizationId' }, ''] }],
    });
    for (const logicalId of NEW_RESOURCES) expect(resource(logicalId).Condition).toBe(CONDITION);
    expect(template.Outputs?.LogsDestinationArn).toEqual({
      Condition: CONDITION,
      Description: expect.stringContaining('put-subscription-filter'),
      Value: { 'Fn::GetAtt': ['LogsDestination', 'Arn'] },
    });
  });

  it('names the destination stream, role and destination only under the condition', () => {
    // Prepare: every resource that is not one of the new ones, as text.
    const others = Object.entries(template.Resources)
      .filter(([logicalId]) => !NEW_RESOURCES.includes(logicalId))
      .filter(([logicalId]) => logicalId !== 'LogProcessorFunction');

    // Assess: nothing else refers to them, and the function only in its conditional statements.
    for (const [logicalId, other] of others) {
      expect(JSON.stringify(other), logicalId).not.toMatch(/LogsDestination/);
    }
    for (const { condition, statement } of functionStatements()) {
      if (JSON.stringify(statement).includes('LogsDestination')) expect(condition).toBe(CONDITION);
    }
  });

  it('keeps the stream encrypted and on demand', () => {
    // Assess
    expect(resource('LogsDestinationStream')).toMatchObject({
      Type: 'AWS::Kinesis::Stream',
      Properties: {
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      },
    });
  });

  it('lets only principals of the organization subscribe a log group to the destination', () => {
    // Prepare
    const destination = resource('LogsDestination');
    const policyText =
      (destination.Properties?.DestinationPolicy as { 'Fn::Sub'?: string } | undefined)?.[
        'Fn::Sub'
      ] ?? '';

    // Act
    const policy = JSON.parse(policyText) as { Statement: Statement[] };

    // Assess
    expect(destination.Type).toBe('AWS::Logs::Destination');
    expect(destination.Properties).toMatchObject({
      DestinationName: { 'Fn::Sub': 'nightshift-logs-${Environment}' },
      RoleArn: { 'Fn::GetAtt': ['LogsDestinationRole', 'Arn'] },
      TargetArn: { 'Fn::GetAtt': ['LogsDestinationStream', 'Arn'] },
    });
    expect(policy.Statement).toEqual([
      {
        Sid: 'SubscriptionFiltersOfTheOrganization',
        Effect: 'Allow',
        Principal: '*',
        Action: 'logs:PutSubscriptionFilter',
        Resource:
          'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:destination:nightshift-logs-${Environment}',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': '${LogsOrganizationId}' } },
      },
    ]);
  });

  it('lets CloudWatch Logs of the organization only put records on the stream', () => {
    // Prepare
    const role = resource('LogsDestinationRole');

    // Assess: trusted by CloudWatch Logs for the organization's log groups of this Region.
    expect(role.Properties?.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'CloudWatchLogsForTheOrganization',
          Effect: 'Allow',
          Principal: { Service: 'logs.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            StringLike: {
              'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:*:*' },
            },
          },
        },
      ],
    });
    expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    const statements = (
      (role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]
    ).flatMap((policy) => policy.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Sid: 'PutRecordsOnTheDestinationStream',
        Effect: 'Allow',
        Action: 'kinesis:PutRecord',
        Resource: { 'Fn::GetAtt': ['LogsDestinationStream', 'Arn'] },
      },
    ]);
  });

  it('maps the stream to log-processor with partial batch responses, splits, bounded retries and the dead-letter queue', () => {
    // Assess
    const mapping = resource('LogProcessorStreamMapping');
    expect(mapping.Type).toBe('AWS::Lambda::EventSourceMapping');
    expect(mapping.Properties).toMatchObject({
      FunctionName: { Ref: 'LogProcessorFunction.Alias' },
      EventSourceArn: { 'Fn::GetAtt': ['LogsDestinationStream', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['LogProcessorDeadLetterQueue', 'Arn'] } },
      },
    });
    const retries = mapping.Properties?.MaximumRetryAttempts;
    expect(retries).toBeGreaterThanOrEqual(1);
    expect(retries).toBeLessThanOrEqual(10);
    expect(mapping.Properties?.MaximumRecordAgeInSeconds).toBeLessThanOrEqual(24 * 3600);
    // A batch of at most ten records of 1 MB, within the 30 s the function has.
    expect(mapping.Properties?.BatchSize).toBeLessThanOrEqual(10);
  });

  it('lets log-processor read that stream only, and describe failed batches in its own queue', () => {
    // Act
    const conditional = functionStatements().filter(({ condition }) => condition === CONDITION);

    // Assess
    expect(conditional.map(({ statement }) => statement)).toEqual([
      {
        Sid: 'ReadTheLogsDestinationStream',
        Effect: 'Allow',
        Action: [
          'kinesis:DescribeStream',
          'kinesis:DescribeStreamSummary',
          'kinesis:GetRecords',
          'kinesis:GetShardIterator',
          'kinesis:ListShards',
        ],
        Resource: { 'Fn::GetAtt': ['LogsDestinationStream', 'Arn'] },
      },
      {
        Sid: 'ReportFailedStreamBatches',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': ['LogProcessorDeadLetterQueue', 'Arn'] },
      },
    ]);
    const kinesisElsewhere = functionStatements().filter(
      ({ condition, statement }) =>
        condition !== CONDITION && JSON.stringify(statement.Action).includes('kinesis:'),
    );
    expect(kinesisElsewhere).toEqual([]);
  });
});
