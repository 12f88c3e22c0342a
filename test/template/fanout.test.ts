import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadTargetSettings } from '@nightshift/targets';
import { describe, expect, it } from 'vitest';
import { listFunctions } from '../../scripts/lib/functions.ts';
import { parseTemplate } from './cfnYaml.ts';

const root = resolve(import.meta.dirname, '../..');
const template = parseTemplate(readFileSync(join(root, 'template.yaml'), 'utf8'));
const manifests = listFunctions(root);
const fanningOut = manifests.filter((fn) => fn.fanout);

type Resource = { Type: string; Condition?: string; Properties?: Record<string, unknown> };
const resource = (logicalId: string): Resource => {
  const found = template.Resources[logicalId] as Resource | undefined;
  if (!found) throw new Error(`${logicalId} is not in template.yaml`);
  return found;
};
type Statement = Record<string, unknown>;

/** A function's statements written under `!If [condition, statement, NoValue]`, by Sid. */
const conditionalStatements = (resourceName: string): Map<string, [string, Statement]> => {
  const policies = resource(`${resourceName}Function`).Properties?.Policies as {
    Statement?: Statement[];
  }[];
  const found = new Map<string, [string, Statement]>();
  for (const statement of policies.flatMap((policy) => policy.Statement ?? [])) {
    if (!('Fn::If' in statement)) continue;
    const [condition, then, otherwise] = statement['Fn::If'] as [string, Statement, unknown];
    expect(otherwise).toEqual({ Ref: 'AWS::NoValue' });
    found.set(String(then.Sid), [condition, then]);
  }
  return found;
};

const pattern = (name: string) =>
  new RegExp(
    String(
      (template.Parameters?.[name] as { AllowedPattern?: string } | undefined)?.AllowedPattern,
    ),
  );

describe('fan-out in template.yaml', () => {
  it('is given to the three jobs that act in other accounts, and no other', () => {
    // A function that fans out gets its statements in every spoke account's role: adding one
    // here is a deliberate decision, not a side effect of a manifest.
    expect(fanningOut.map((fn) => fn.name)).toEqual([
      'backup-manager',
      'infra-scaler',
      'snapshot-cleanup',
    ]);
  });

  it('is given to exactly the jobs whose handler is the fan-out job handler', () => {
    // Prepare
    const wired = listFunctions(root)
      .filter((fn) =>
        readFileSync(join(root, 'functions', fn.name, 'src', 'handler.ts'), 'utf8').includes(
          "from '@nightshift/job/fanout'",
        ),
      )
      .map((fn) => fn.name);

    // Assess
    expect(fanningOut.length).toBeGreaterThan(0);
    expect(fanningOut.map((fn) => fn.name)).toEqual(wired);
  });

  it('exists only when the targets are more than this account in this Region', () => {
    // Assess
    expect(template.Conditions?.FansOut).toEqual({
      'Fn::Not': [
        {
          'Fn::And': [
            {
              'Fn::Or': [
                { 'Fn::Equals': [{ Ref: 'TargetAccounts' }, 'self'] },
                { 'Fn::Equals': [{ Ref: 'TargetAccounts' }, ''] },
              ],
            },
            {
              'Fn::Or': [
                { 'Fn::Equals': [{ Ref: 'TargetRegions' }, ''] },
                { 'Fn::Equals': [{ Ref: 'TargetRegions' }, { Ref: 'AWS::Region' }] },
              ],
            },
          ],
        },
      ],
    });
    expect(template.Parameters?.TargetAccounts).toMatchObject({ Default: 'self' });
    expect(template.Parameters?.TargetRegions).toMatchObject({ Default: '' });
    expect(resource('RunsTable').Condition).toBe('FansOut');
    for (const fn of fanningOut) {
      expect(resource(`${fn.resource}TargetQueue`).Condition).toBe('FansOut');
      expect(resource(`${fn.resource}TargetQueueMapping`).Condition).toBe('FansOut');
    }
    for (const fn of manifests.filter((manifest) => !manifest.fanout)) {
      expect(template.Resources[`${fn.resource}TargetQueue`]).toBeUndefined();
    }
  });

  it.each(fanningOut.map((fn) => [fn.name, fn.resource]))(
    '%s works its own queue one target at a time, answers with the failed ones, and gives up into its dead-letter queue',
    (_, name) => {
      // Assess
      expect(resource(`${name}TargetQueueMapping`).Properties).toEqual({
        EventSourceArn: { 'Fn::GetAtt': [`${name}TargetQueue`, 'Arn'] },
        FunctionName: { Ref: `${name}Function.Alias` },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: { Ref: 'FanoutConcurrency' } },
      });
      expect(resource(`${name}TargetQueue`).Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [`${name}DeadLetterQueue`, 'Arn'] },
          maxReceiveCount: { Ref: 'FanoutMaxReceiveCount' },
        },
      });
      // Longer than any run of a target can take.
      expect(
        Number(resource(`${name}TargetQueue`).Properties?.VisibilityTimeout),
      ).toBeGreaterThanOrEqual(900);
    },
  );

  it.each(fanningOut.map((fn) => [fn.name, fn.resource]))(
    '%s is told its targets, its queue, the runs table and the spoke role to assume',
    (_, name) => {
      // Act
      const environment = resource(`${name}Function`).Properties?.Environment as
        | { Variables: Record<string, unknown> }
        | undefined;
      const variables = environment?.Variables;

      // Assess
      expect(variables).toMatchObject({
        TARGET_ACCOUNTS: { Ref: 'TargetAccounts' },
        TARGET_REGIONS: { Ref: 'TargetRegions' },
        SPOKE_ROLE_NAME: { 'Fn::Sub': 'nightshift-${Environment}-spoke' },
        FANOUT_QUEUE_URL: { 'Fn::If': ['FansOut', { Ref: `${name}TargetQueue` }, ''] },
        RUNS_TABLE: { 'Fn::If': ['FansOut', { Ref: 'RunsTable' }, ''] },
        FANOUT_MAX_RECEIVE_COUNT: { Ref: 'FanoutMaxReceiveCount' },
        FANOUT_DEADLINE_MINUTES: { Ref: 'FanoutDeadlineMinutes' },
      });
    },
  );

  it.each(fanningOut.map((fn) => [fn.name, fn.resource]))(
    '%s may use its own queue, only its own runs, and only the spoke role of its environment',
    (fnName, name) => {
      // Act
      const statements = conditionalStatements(name);

      // Assess
      for (const sid of [
        'WorkTheTargetQueue',
        'RecordTheRuns',
        'AssumeTheSpokeRole',
        'ListTheOrganizationsAccounts',
      ]) {
        expect(statements.get(sid)?.[0], sid).toBe('FansOut');
      }
      expect(statements.get('WorkTheTargetQueue')?.[1].Resource).toEqual({
        'Fn::GetAtt': [`${name}TargetQueue`, 'Arn'],
      });
      expect(statements.get('RecordTheRuns')?.[1]).toMatchObject({
        Resource: { 'Fn::GetAtt': ['RunsTable', 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`run#${fnName}/*`] } },
      });
      expect(statements.get('RecordTheRuns')?.[1].Action).not.toContain('dynamodb:DeleteItem');
      expect(statements.get('AssumeTheSpokeRole')?.[1]).toMatchObject({
        Action: 'sts:AssumeRole',
        Resource: {
          'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/nightshift-${Environment}-spoke',
        },
      });
      expect(statements.get('ListTheOrganizationsAccounts')?.[1].Action).toEqual([
        'organizations:ListAccounts',
        'organizations:ListAccountsForParent',
        'organizations:ListOrganizationalUnitsForParent',
      ]);
    },
  );

  it.each([
    ['self', true],
    ['organization', true],
    ['organization:ou-ab12-cdef3456,r-ab12', true],
    ['self,123456789012,210987654321', true],
    ['123456789012', true],
    ['12345678901', false],
    ['self,', false],
    ['organization:', false],
    ['*', false],
  ])('takes TargetAccounts %j as the function would: %s', (value, accepted) => {
    // Act
    const templateSays = pattern('TargetAccounts').test(value);
    let functionSays = true;
    try {
      loadTargetSettings({ TARGET_ACCOUNTS: value, AWS_REGION: 'eu-west-1' });
    } catch {
      functionSays = false;
    }

    // Assess
    expect(templateSays).toBe(accepted);
    expect(functionSays).toBe(accepted);
  });

  it.each([
    ['', true],
    ['eu-west-1', true],
    ['eu-west-1,us-east-1,ap-southeast-2', true],
    ['eu-west-1,', false],
    ['EU-WEST-1', false],
    ['eu-west', false],
  ])('takes TargetRegions %j as the function would: %s', (value, accepted) => {
    // Act
    const templateSays = pattern('TargetRegions').test(value);
    let functionSays = true;
    try {
      loadTargetSettings({ TARGET_REGIONS: value, AWS_REGION: 'eu-west-1' });
    } catch {
      functionSays = false;
    }

    // Assess
    expect(templateSays).toBe(accepted);
    expect(functionSays).toBe(accepted);
  });

  it('keeps the runs 30 days, on demand, recoverable', () => {
    // Assess
    expect(resource('RunsTable').Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
});

describe('pipeline events of the organization', () => {
  it('lets only the organization put events on the default bus, and only when asked', () => {
    // Act
    const policy = resource('OrganizationPipelineEventsPolicy');

    // Assess
    expect(template.Parameters?.PipelineEventsOrganizationId).toMatchObject({ Default: '' });
    expect(pattern('PipelineEventsOrganizationId').test('o-a1b2c3d4e5')).toBe(true);
    expect(pattern('PipelineEventsOrganizationId').test('123456789012')).toBe(false);
    expect(template.Conditions?.TakesOrganizationPipelineEvents).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'PipelineEventsOrganizationId' }, ''] }],
    });
    expect(policy).toEqual({
      Type: 'AWS::Events::EventBusPolicy',
      Condition: 'TakesOrganizationPipelineEvents',
      Properties: {
        EventBusName: 'default',
        StatementId: 'nightshift-organization-pipeline-events',
        Statement: {
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: {
            'Fn::Sub':
              'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default',
          },
          Condition: {
            StringEquals: { 'aws:PrincipalOrgID': { Ref: 'PipelineEventsOrganizationId' } },
          },
        },
      },
    });
  });
});
