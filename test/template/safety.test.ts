import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { environmentIssue } from '../../functions/infra-scaler/src/environment.ts';
import { listFunctions } from '../../scripts/lib/functions.ts';
import { bundledSources } from './bundles.ts';
import { type CfnTemplate, parseTemplate } from './cfnYaml.ts';

const root = resolve(import.meta.dirname, '../..');
let parsed: CfnTemplate | undefined;
const template = (): CfnTemplate => {
  parsed ??= parseTemplate(readFileSync(join(root, 'template.yaml'), 'utf8'));
  return parsed;
};

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};
type Conditional<T> = { 'Fn::If': [string, T, unknown] };

/** Every statement of every function, one under `Fn::If` as it is when its condition holds. */
const functionStatements = () =>
  Object.entries(template().Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
    .flatMap(([id, resource]) =>
      (
        (resource.Properties?.Policies ?? []) as {
          Statement?: (Statement | Conditional<Statement>)[];
        }[]
      ).flatMap((policy) =>
        (policy.Statement ?? []).map((statement) =>
          'Fn::If' in statement
            ? { id, onlyIf: statement['Fn::If'][0], ...statement['Fn::If'][1] }
            : { id, onlyIf: undefined, ...statement },
        ),
      ),
    );
const actionsOf = (statement: Statement) => [statement.Action].flat();

/**
 * A CloudFormation `AllowedPattern` as a JavaScript RegExp. CloudFormation matches the
 * pattern (a Java regular expression) against the whole value, so it is anchored here;
 * look-aheads, `(?i:...)` groups and character classes mean the same in both.
 */
const allowedPattern = (parameter: string): RegExp => {
  const pattern = template().Parameters?.[parameter]?.AllowedPattern;
  expect(pattern, `${parameter} has an AllowedPattern`).toEqual(expect.any(String));
  return new RegExp(`^(?:${String(pattern)})$`);
};

describe('ScaledEnvironment', () => {
  // As infra-scaler's code defines it: prod, production or prd in any case, alone or
  // followed by anything but a letter.
  const productionLike = [
    'prod',
    'PROD',
    'Prod',
    'production',
    'Production',
    'PRODUCTION',
    'prd',
    'PRD',
    'prod-',
    'prod-eu',
    'Prod-1',
    'PROD-blue',
    'prod_2',
    'production-eu',
    'Production.us',
    'prd2',
  ];
  const notANameOfOne = ['', '*', '?roduction', 'prod*', 'stag?ng', 'staging,prod', ' staging'];
  const accepted = [
    'staging',
    'Staging',
    'dev',
    'qa-2',
    'test_env',
    'preprod',
    'product',
    'products',
    'prodigy',
    'prdx',
  ];

  it.each(productionLike)('refuses the production-like name %j', (name) => {
    expect(allowedPattern('ScaledEnvironment').test(name)).toBe(false);
  });

  it.each(notANameOfOne)('refuses %j: wildcards, lists and blanks are not one name', (name) => {
    expect(allowedPattern('ScaledEnvironment').test(name)).toBe(false);
  });

  it.each(accepted)('accepts %j', (name) => {
    expect(allowedPattern('ScaledEnvironment').test(name)).toBe(true);
  });

  it('refuses a name longer than 63 characters', () => {
    expect(allowedPattern('ScaledEnvironment').test('s'.repeat(63))).toBe(true);
    expect(allowedPattern('ScaledEnvironment').test('s'.repeat(64))).toBe(false);
  });

  it('accepts only names infra-scaler itself would scale with no SCALED_ENVIRONMENTS', () => {
    // Prepare: names built from production-like words, letters, digits and separators.
    const pattern = allowedPattern('ScaledEnvironment');
    const names = fc
      .array(
        fc.constantFrom(
          'prod',
          'PRD',
          'Production',
          'uct',
          'pre',
          's',
          'X',
          '2',
          '-',
          '_',
          '.',
          '*',
        ),
        {
          maxLength: 5,
        },
      )
      .map((parts) => parts.join(''));

    // Act & Assess
    fc.assert(
      fc.property(names, (name) => {
        if (pattern.test(name)) expect(environmentIssue(name, []), name).toBeUndefined();
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts its default and every value samconfig.toml deploys with', () => {
    // Prepare
    const samconfig = readFileSync(join(root, 'samconfig.toml'), 'utf8');

    // Act
    const deployed = [...samconfig.matchAll(/\bScaledEnvironment=([^\s"]+)/g)].map(
      (match) => match[1] ?? '',
    );

    // Assess
    expect(deployed.length).toBeGreaterThanOrEqual(3);
    const pattern = allowedPattern('ScaledEnvironment');
    for (const name of [template().Parameters?.ScaledEnvironment?.Default, ...deployed]) {
      expect(pattern.test(String(name)), String(name)).toBe(true);
    }
  });

  it('is the one environment infra-scaler is configured to scale, and its schedules name', () => {
    // Act
    const scaler = template().Resources.InfraScalerFunction?.Properties ?? {};
    const variables = (scaler.Environment as { Variables: Record<string, unknown> }).Variables;
    const inputs = Object.values(
      scaler.Events as Record<string, { Properties: { Input: string | { 'Fn::Sub': string } } }>,
    ).map(
      ({ Properties: { Input } }) =>
        JSON.parse(typeof Input === 'string' ? Input : Input['Fn::Sub']) as {
          action: string;
          environment?: string;
        },
    );

    // Assess
    expect(variables.SCALED_ENVIRONMENTS).toEqual({ Ref: 'ScaledEnvironment' });
    expect(inputs.length).toBe(4);
    const environmental = inputs.filter((input) => input.action !== 'reconcile');
    expect(environmental.length).toBe(3);
    for (const input of environmental) expect(input.environment).toBe('${ScaledEnvironment}');
    // The reconcile names no environment: the schedules, by tag, say what it acts on.
    expect(inputs.filter((input) => input.action === 'reconcile')).toEqual([
      { action: 'reconcile', id: '<aws.scheduler.execution-id>' },
    ]);
  });
});

describe('IAM of infra-scaler, Auto Scaling groups', () => {
  const updating = () =>
    functionStatements().filter(
      (statement) =>
        statement.Effect === 'Allow' &&
        actionsOf(statement).includes('autoscaling:UpdateAutoScalingGroup'),
    );

  it('may only resize a group: never change what it launches, or where', () => {
    // Act
    const statements = updating();

    // Assess: the environment's groups, and the groups on a schedule.
    expect(statements.map((statement) => statement.id)).toEqual([
      'InfraScalerFunction',
      'InfraScalerFunction',
    ]);
    // Each key is present only when the request changes that setting.
    const onlySizes = {
      'autoscaling:LaunchConfigurationName': 'true',
      'autoscaling:LaunchTemplateVersionSpecified': 'true',
      'autoscaling:InstanceTypes': 'true',
      'autoscaling:VPCZoneIdentifiers': 'true',
      'autoscaling:CapacityReservationIds': 'true',
      'autoscaling:CapacityReservationResourceGroupArns': 'true',
    };
    expect(statements[0]?.Condition?.Null).toEqual(onlySizes);
    expect(statements[1]?.Condition?.Null).toEqual({
      ...onlySizes,
      'aws:ResourceTag/nightshift:schedule': 'false',
    });
  });
});

describe('IAM tag removal', () => {
  it('names its tag keys: an EC2 DeleteTags naming none would delete every tag', () => {
    // Act
    const removing = functionStatements().filter(
      (statement) =>
        statement.Effect === 'Allow' &&
        actionsOf(statement).some((action) =>
          ['ec2:DeleteTags', 'autoscaling:DeleteTags', 'rds:RemoveTagsFromResource'].includes(
            action,
          ),
        ),
    );

    // Assess
    expect(removing.map((statement) => statement.Sid)).toEqual([
      'UnmarkTaggedInstances',
      'SaveTheGroupsSizes',
      'MarkTaggedDatabases',
      'ClearOnScheduledInstances',
      'ClearOnScheduledGroups',
      'ClearOnScheduledDatabases',
    ]);
    for (const statement of removing) {
      // ForAllValues holds for an empty set of keys; Null makes the keys required.
      const keys = statement.Condition?.['ForAllValues:StringEquals']?.['aws:TagKeys'];
      expect(keys, statement.Sid).toEqual(
        [keys].flat().map(() => expect.stringMatching(/^nightshift:/)),
      );
      expect([keys].flat().length, statement.Sid).toBeGreaterThan(0);
      // Never the schedule itself: only people put a resource on a schedule or take it off.
      expect(keys, statement.Sid).not.toContain('nightshift:schedule');
      expect(statement.Condition?.Null, statement.Sid).toMatchObject({ 'aws:TagKeys': 'false' });
    }
  });
});

describe('IAM of the actions table', () => {
  it('lets each function write only its own records: infra-scaler heads-ups, chat-actions used links', () => {
    // Act
    const writers = functionStatements().filter(
      (statement) =>
        statement.Effect === 'Allow' &&
        JSON.stringify(statement.Resource).includes('ActionsTable') &&
        actionsOf(statement).some((action) => action.startsWith('dynamodb:')),
    );

    // Assess
    expect(writers.map((statement) => [statement.id, actionsOf(statement)])).toEqual([
      ['ChatActionsFunction', ['dynamodb:UpdateItem']],
      ['InfraScalerFunction', ['dynamodb:UpdateItem']],
    ]);
    const prefixOf = (id: string) =>
      writers.find((statement) => statement.id === id)?.Condition?.['ForAllValues:StringLike']?.[
        'dynamodb:LeadingKeys'
      ];
    expect(prefixOf('InfraScalerFunction')).toEqual(['heads-up#*']);
    expect(prefixOf('ChatActionsFunction')).toEqual(['nonce#*']);
  });
});

describe('KMS permissions', () => {
  const kmsStatements = () =>
    functionStatements().filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('kms:')),
    );
  /** What a function's code must use for a KMS permission through a service to be needed. */
  const usedThrough: Record<string, RegExp> = {
    sns: /@aws-sdk\/client-sns/,
    ssm: /@aws-lambda-powertools\/parameters\/ssm/,
    ec2: /StartInstancesCommand/,
    sqs: /@aws-sdk\/client-sqs/,
    secretsmanager: /@aws-lambda-powertools\/parameters\/secrets/,
  };
  /** The code in the function's bundle, its own and that of the packages it uses. */
  const sourceOf = (id: string): string => {
    const codeUri = String(template().Resources[id]?.Properties?.CodeUri);
    return bundledSources(root, codeUri.replace(/^dist\//, ''))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
  };
  const viaService = (statement: Statement): string => {
    const via = statement.Condition?.StringEquals?.['kms:ViaService'] as { 'Fn::Sub': string };
    return via['Fn::Sub'].replace(/\..*$/, '');
  };

  it('go only through a service whose client the function’s code uses', () => {
    // Act
    const unused = kmsStatements()
      .filter((statement) => {
        const pattern = usedThrough[viaService(statement)];
        return pattern === undefined || !pattern.test(sourceOf(statement.id));
      })
      .map((statement) => `${statement.id}/${statement.Sid}`);

    // Assess
    expect(kmsStatements().length).toBeGreaterThanOrEqual(6);
    expect(unused).toEqual([]);
  });

  it('decrypt and make data keys only for the topic or parameter the function uses', () => {
    // Act
    const keyUse = kmsStatements().filter((statement) =>
      actionsOf(statement).some((action) => /^kms:(Decrypt|GenerateDataKey)/.test(action)),
    );
    const bySns = keyUse.filter((statement) => viaService(statement) === 'sns');
    const bySsm = keyUse.filter((statement) => viaService(statement) === 'ssm');

    // Assess: one key statement for each function that publishes to a topic.
    const publishers = [
      ...new Set(
        functionStatements()
          .filter(
            (statement) =>
              statement.Effect === 'Allow' && actionsOf(statement).includes('sns:Publish'),
          )
          .map((statement) => statement.id),
      ),
    ];
    expect(bySns.length + bySsm.length).toBe(keyUse.length);
    expect(publishers.length).toBeGreaterThan(0);
    expect(bySns.map((statement) => statement.id).sort()).toEqual(publishers.sort());
    for (const statement of bySns) {
      const published = functionStatements().find(
        (other) => other.id === statement.id && actionsOf(other).includes('sns:Publish'),
      );
      expect(published?.Resource, statement.id).toEqual({ Ref: expect.any(String) });
      expect(statement.Condition?.StringEquals?.['kms:EncryptionContext:aws:sns:topicArn']).toEqual(
        published?.Resource,
      );
    }
    // The webhook parameters: every function whose manifest says it posts to the webhooks
    // (deploy-notifier's messages, infra-scaler's heads-ups, the morning report), and no other.
    const posting = listFunctions(root)
      .filter((fn) => fn.webhooks)
      .map((fn) => `${fn.resource}Function`);
    // Reading the webhook URLs is a deliberate grant: these three, and no other.
    expect(posting).toEqual([
      'DeployNotifierFunction',
      'InfraScalerFunction',
      'MorningReportFunction',
    ]);
    expect(bySsm.map((statement) => [statement.id, statement.onlyIf]).sort()).toEqual(
      posting.map((id) => [id, 'HasWebhookParameter']).sort(),
    );
    for (const statement of bySsm) {
      const parameters = functionStatements().find(
        (other) => other.id === statement.id && other.Sid === 'ReadTheWebhookParameters',
      )?.Resource;
      expect(parameters, statement.id).toBeDefined();
      expect(
        statement.Condition?.StringEquals?.['kms:EncryptionContext:PARAMETER_ARN'],
        statement.id,
      ).toEqual(parameters);
    }
  });
});

describe('SNS topics', () => {
  type TopicPolicy = { Topics: { Ref: string }[]; PolicyDocument: { Statement: unknown[] } };
  const topicPolicies = () =>
    Object.values(template().Resources)
      .filter((resource) => resource.Type === 'AWS::SNS::TopicPolicy')
      .map((resource) => ({ Properties: resource.Properties as TopicPolicy }));

  it('refuse every publication over plain HTTP', () => {
    // Prepare
    const topics = Object.entries(template().Resources)
      .filter(([, resource]) => resource.Type === 'AWS::SNS::Topic')
      .map(([id]) => id);

    // Act
    const unguarded = topics.filter(
      (topic) =>
        !topicPolicies().some(
          (policy) =>
            policy.Properties.Topics.some((ref) => ref.Ref === topic) &&
            policy.Properties.PolicyDocument.Statement.some(
              (statement) =>
                JSON.stringify(statement) ===
                JSON.stringify({
                  Sid: 'PublishOnlyOverTls',
                  Effect: 'Deny',
                  Principal: '*',
                  Action: 'sns:Publish',
                  Resource: { Ref: topic },
                  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
                }),
            ),
        ),
    );

    // Assess
    expect(topics).toEqual(expect.arrayContaining(['ReportsTopic', 'AlertTopic', 'AlarmTopic']));
    expect(unguarded).toEqual([]);
  });

  it('let CloudWatch publish this account’s alarms, although the policy replaces the default', () => {
    // Act
    const alarmPolicy = topicPolicies().find((policy) =>
      policy.Properties.Topics.some((ref) => ref.Ref === 'AlarmTopic'),
    );

    // Assess
    expect(alarmPolicy?.Properties.PolicyDocument.Statement).toContainEqual({
      Sid: 'CloudWatchPublishesThisAccountsAlarms',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: { Ref: 'AlarmTopic' },
      Condition: {
        ArnLike: {
          'aws:SourceArn': {
            'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*',
          },
        },
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      },
    });
  });
});

describe('AlarmEmail', () => {
  it('subscribes the address it is given to the alarm topic, and nothing when empty', () => {
    // Act
    const { Parameters, Conditions, Resources } = template();
    const subscriptions = Object.values(Resources).filter(
      (resource) =>
        resource.Type === 'AWS::SNS::Subscription' &&
        JSON.stringify(resource.Properties?.TopicArn) === JSON.stringify({ Ref: 'AlarmTopic' }),
    );

    // Assess
    expect(Parameters?.AlarmEmail?.Default).toBe('');
    expect(Conditions?.HasAlarmEmail).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }],
    });
    expect(subscriptions).toEqual([
      {
        Type: 'AWS::SNS::Subscription',
        Condition: 'HasAlarmEmail',
        Properties: {
          TopicArn: { Ref: 'AlarmTopic' },
          Protocol: 'email',
          Endpoint: { Ref: 'AlarmEmail' },
        },
      },
    ]);
  });

  it.each([
    ['', true],
    ['ops@example.com', true],
    ['on-call+nightshift@example.co.uk', true],
    ['ops', false],
    ['ops@example', false],
    ['ops @example.com', false],
    ['a@b@example.com', false],
  ])('takes %j: %j', (address, accepted) => {
    expect(allowedPattern('AlarmEmail').test(address)).toBe(accepted);
  });
});
