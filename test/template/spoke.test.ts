import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, parseDocument, type YAMLMap } from 'yaml';
import { listFunctions } from '../../scripts/lib/functions.ts';
import {
  chunkStatements,
  classify,
  classifyStatement,
  renderSpoke,
  SpokeError,
  sidOf,
  spokeFunctions,
  spokePolicyId,
} from '../../scripts/template/spoke.ts';
import { renderTemplate } from '../../scripts/template.ts';
import { parseTemplate } from './cfnYaml.ts';

const root = resolve(import.meta.dirname, '../..');
// The hub's template and the spoke's, as scripts/template.ts makes them of their sources (the
// first test checks that spoke.yaml is this text).
const hubText = renderTemplate(root);
const hub = parseTemplate(hubText);
const SPOKE_FUNCTIONS = spokeFunctions(root);
const spokeText = renderSpoke(hubText, SPOKE_FUNCTIONS);
const spoke = parseTemplate(spokeText);

type Statement = Record<string, unknown>;
type Policy = { Statement: Statement[] };

/** The statement itself, also when written as `Fn::If [condition, statement, NoValue]`. */
const inner = (statement: Statement): Statement =>
  'Fn::If' in statement ? ((statement['Fn::If'] as unknown[])[1] as Statement) : statement;

const hubStatements = (functionName: string): Statement[] => {
  const id = `${functionName
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}Function`;
  const policies = hub.Resources[id]?.Properties?.Policies as Policy[];
  return policies.flatMap((policy) => policy.Statement);
};

/** A function's statements in the spoke, over all its managed policies, in their order. */
const spokeStatements = (functionName: string): Statement[] => {
  const statements: Statement[] = [];
  for (let index = 0; ; index += 1) {
    const policy = spoke.Resources[spokePolicyId(functionName, index)];
    if (!policy) return statements;
    const document = policy.Properties?.PolicyDocument as Policy;
    statements.push(...document.Statement);
  }
};

/** The statement without the condition that names the function's session. */
const withoutSession = (statement: Statement): Statement => {
  const copy = structuredClone(statement);
  const target = inner(copy);
  const condition = target.Condition as Record<string, Record<string, unknown>>;
  delete condition.StringEquals?.['aws:userid'];
  if (condition.StringEquals && Object.keys(condition.StringEquals).length === 0) {
    delete condition.StringEquals;
  }
  if (Object.keys(condition).length === 0) delete target.Condition;
  return copy;
};

/**
 * The statements of the hub that stay in the hub, and why; a change here is a decision.
 * Every fan-out job keeps its report, its run history and the fan-out itself in the hub; a
 * job that posts to webhooks keeps their parameters there; a job's own hub statements are
 * named by function.
 */
const REPORTS = ['PublishReports', 'UseTheReportsTopicKey'];
/** The statements of a fan-out: the hub's queue and runs table, its reach into the spokes. */
const FANOUT = [
  'WorkTheTargetQueue',
  'RecordTheRuns',
  'AssumeTheSpokeRole',
  'ListTheOrganizationsAccounts',
];
/** The run history's write (scripts/template/history.yaml). */
const HISTORY = ['WriteRunHistory'];
/** The webhook URLs (scripts/template/webhooks.yaml). */
const WEBHOOKS = ['ReadTheWebhookParameters', 'DecryptThemThroughSsm'];
/** A job's own statements on the hub's resources, beyond the shared parts. */
const OWN_HUB_ONLY: Record<string, string[]> = {
  'infra-scaler': ['ReadTheSchedules', 'RecordHeadsUps', 'SignSnoozeLinks'],
};
const HUB_ONLY: Record<string, string[]> = Object.fromEntries(
  listFunctions(root)
    .filter((fn) => fn.fanout)
    .map((fn) => [
      fn.name,
      [
        ...(OWN_HUB_ONLY[fn.name] ?? []),
        ...REPORTS,
        ...(fn.history ? HISTORY : []),
        ...FANOUT,
        ...(fn.webhooks ? WEBHOOKS : []),
      ],
    ]),
);

describe('spoke.yaml', () => {
  it('is what scripts/template.ts makes of the hub template (run it after changing one)', () => {
    // Act
    const committed = readFileSync(join(root, 'spoke.yaml'), 'utf8');

    // Assess
    expect(committed).toBe(spokeText);
  });

  it('is plain CloudFormation with a description: no transform for StackSets to refuse', () => {
    // Assess
    expect(spokeText).not.toMatch(/Transform|AWS::Serverless/);
    expect((spoke as unknown as Record<string, unknown>).Description).toMatch(/Nightshift spoke/);
    expect(
      Object.values(spoke.Resources).every(
        (resource) => !resource.Type.startsWith('AWS::Serverless'),
      ),
    ).toBe(true);
  });

  it('takes the hub account, environment, organization and stack, each checked', () => {
    // Prepare
    const parameters = spoke.Parameters ?? {};
    const accepts = (name: string, value: string): boolean =>
      new RegExp(String(parameters[name]?.AllowedPattern)).test(value);

    // Assess
    expect(accepts('HubAccountId', '123456789012')).toBe(true);
    for (const bad of ['12345678901', '1234567890123', '12345678901a', '']) {
      expect(accepts('HubAccountId', bad), bad).toBe(false);
    }
    expect(parameters.HubEnvironment?.AllowedPattern).toBe(
      hub.Parameters?.Environment?.AllowedPattern,
    );
    expect(parameters.HubEnvironment?.Default).toBeUndefined();
    expect(accepts('OrganizationId', 'o-a1b2c3d4e5')).toBe(true);
    for (const bad of ['o-short', 'r-a1b2', 'a1b2c3d4e5f6', '']) {
      expect(accepts('OrganizationId', bad), bad).toBe(false);
    }
    expect(accepts('HubStackName', 'nightshift-prod')).toBe(true);
    expect(accepts('HubStackName', 'x*')).toBe(false);
    expect(parameters.ForwardPipelineEvents).toMatchObject({
      AllowedValues: ['true', 'false'],
      Default: 'false',
    });
    expect(parameters.HubEventBusArn?.Default).toBe('');
    expect(accepts('HubEventBusArn', '')).toBe(true);
    expect(
      accepts('HubEventBusArn', 'arn:aws:events:eu-west-1:123456789012:event-bus/default'),
    ).toBe(true);
    expect(accepts('HubEventBusArn', 'arn:aws:sns:eu-west-1:123456789012:topic')).toBe(false);
  });

  it('has one role for the hub environment, assumable only by the hub stack’s roles in the organization', () => {
    // Prepare
    const roles = Object.entries(spoke.Resources).filter(
      ([, resource]) => resource.Type === 'AWS::IAM::Role',
    );
    const role = spoke.Resources.SpokeRole;

    // Assess
    expect(roles.map(([id]) => id).sort()).toEqual([
      'LogsSenderRole',
      'PipelineEventsForwarderRole',
      'SpokeRole',
    ]);
    expect(role?.Properties?.RoleName).toEqual({ 'Fn::Sub': 'nightshift-${HubEnvironment}-spoke' });
    expect(role?.Properties?.Policies).toBeUndefined();
    expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
    expect(role?.Properties?.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'TheHubsFunctionRoles',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${HubAccountId}:root' } },
          Action: 'sts:AssumeRole',
          Condition: {
            ArnLike: {
              'aws:PrincipalArn': {
                'Fn::Sub': 'arn:${AWS::Partition}:iam::${HubAccountId}:role/${HubStackName}-*',
              },
            },
            StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } },
          },
        },
      ],
    });
    expect(spoke.Outputs?.SpokeRoleArn).toMatchObject({
      Value: { 'Fn::GetAtt': ['SpokeRole', 'Arn'] },
    });
  });

  it('gives CloudWatch Logs of this account, and nothing else, a role to send subscribed log groups to the hub', () => {
    // Prepare
    const role = spoke.Resources.LogsSenderRole;

    // Assess: AWS's destination lets the organization in only with such a role in the sender.
    expect(role?.Properties?.RoleName).toEqual({
      'Fn::Sub': 'nightshift-${HubEnvironment}-logs-sender',
    });
    expect(role?.Properties?.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'logs.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            StringLike: {
              'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:logs:*:${AWS::AccountId}:*' },
            },
          },
        },
      ],
    });
    const policies = role?.Properties?.Policies as {
      PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] };
    }[];
    expect(policies.flatMap((policy) => policy.PolicyDocument.Statement)).toEqual([
      expect.objectContaining({
        Action: 'logs:PutLogEvents',
        Resource: {
          'Fn::Sub': 'arn:${AWS::Partition}:logs:*:${AWS::AccountId}:log-group:*:*',
        },
      }),
    ]);
    expect(spoke.Outputs?.LogsSenderRoleArn).toMatchObject({
      Condition: 'CreatesRole',
      Value: { 'Fn::GetAtt': ['LogsSenderRole', 'Arn'] },
    });
  });

  it('creates the role and its policies in one Region only, when the stack set runs in several', () => {
    // Prepare
    const global = Object.entries(spoke.Resources).filter(
      ([id, resource]) =>
        id === 'SpokeRole' ||
        id === 'LogsSenderRole' ||
        resource.Type === 'AWS::IAM::ManagedPolicy',
    );

    // Assess
    expect(spoke.Parameters?.RoleRegion?.Default).toBe('');
    expect(spoke.Conditions?.CreatesRole).toEqual({
      'Fn::Or': [
        { 'Fn::Equals': [{ Ref: 'RoleRegion' }, ''] },
        { 'Fn::Equals': [{ Ref: 'RoleRegion' }, { Ref: 'AWS::Region' }] },
      ],
    });
    expect(global.length).toBeGreaterThan(1);
    for (const [id, resource] of global) {
      expect(resource, id).toMatchObject({ Condition: 'CreatesRole' });
    }
    expect(spoke.Outputs?.SpokeRoleArn).toMatchObject({ Condition: 'CreatesRole' });
  });

  it('gives the role no permission but the functions’ own statements', () => {
    // Prepare
    const policies = Object.entries(spoke.Resources).filter(
      ([, resource]) => resource.Type === 'AWS::IAM::ManagedPolicy',
    );
    const expected = SPOKE_FUNCTIONS.flatMap((name) => {
      const ids: string[] = [];
      while (spoke.Resources[spokePolicyId(name, ids.length)]) {
        ids.push(spokePolicyId(name, ids.length));
      }
      return ids;
    });

    // Assess
    for (const fn of listFunctions(root).filter((manifest) => manifest.fanout)) {
      expect(spoke.Resources[spokePolicyId(fn.name, 0)], fn.name).toBeDefined();
    }
    expect(policies.map(([id]) => id)).toEqual(expected);
    // IAM attaches at most 10 managed policies to a role unless the quota is raised.
    expect(policies.length).toBeLessThanOrEqual(10);
    for (const [id, policy] of policies) {
      expect(policy.Properties?.Roles, id).toEqual([{ Ref: 'SpokeRole' }]);
      expect(Object.keys(policy.Properties ?? {}).sort(), id).toEqual([
        'Description',
        'PolicyDocument',
        'Roles',
      ]);
    }
    expect(
      Object.values(spoke.Resources)
        .map((resource) => resource.Type)
        .filter((type) => type.startsWith('AWS::IAM::'))
        .sort(),
    ).toEqual([
      ...policies.map(() => 'AWS::IAM::ManagedPolicy'),
      'AWS::IAM::Role',
      'AWS::IAM::Role',
      'AWS::IAM::Role',
    ]);
  });

  it.each(SPOKE_FUNCTIONS)(
    'carries exactly the hub statements of %s on the account’s resources, each for its session only',
    (name) => {
      // Prepare
      const hubOnly = new Set(HUB_ONLY[name]);
      const expected = hubStatements(name).filter(
        (statement) => !hubOnly.has(String(inner(statement).Sid)),
      );

      // Act
      const statements = spokeStatements(name);

      // Assess
      expect(statements.map(withoutSession)).toEqual(expected);
      for (const statement of statements) {
        const condition = inner(statement).Condition as Record<string, Record<string, unknown>>;
        expect(condition.StringEquals?.['aws:userid'], String(inner(statement).Sid)).toEqual({
          'Fn::Sub': `\${SpokeRole.RoleId}:nightshift-${name}`,
        });
      }
    },
  );

  it.each(SPOKE_FUNCTIONS)(
    'names every statement of %s it leaves in the hub, and drops none',
    (name) => {
      // Prepare
      const all = hubStatements(name).map((statement) => String(inner(statement).Sid));

      // Act
      const { spoke: copied, hubOnly } = classify(parseDocument(hubText), name);

      // Assess
      const expected = HUB_ONLY[name] ?? [];
      expect(hubOnly.map((entry) => entry.sid)).toEqual(expected);
      expect(copied.map(sidOf)).toEqual(all.filter((sid) => !expected.includes(sid)));
      expect(copied.length + hubOnly.length).toBe(all.length);
      for (const entry of hubOnly) expect(entry.reason, entry.sid).not.toBe('');
    },
  );

  it('keeps every deny of a function for that function: no other session is refused by it', () => {
    // Prepare: snapshot-cleanup refuses to delete backup-manager's backups.
    const refusal = spokeStatements('snapshot-cleanup').find(
      (statement) => inner(statement).Sid === 'NeverDeleteBackupManagerBackups',
    );
    const ownDeletes = spokeStatements('backup-manager').find(
      (statement) => inner(statement).Sid === 'DeleteOnlyItsOwnSnapshots',
    );

    // Assess
    expect(inner(refusal ?? {}).Effect).toBe('Deny');
    expect(
      (inner(refusal ?? {}).Condition as Record<string, Record<string, unknown>>).StringEquals,
    ).toMatchObject({
      'aws:userid': { 'Fn::Sub': '${SpokeRole.RoleId}:nightshift-snapshot-cleanup' },
    });
    expect(
      (inner(ownDeletes ?? {}).Condition as Record<string, Record<string, unknown>>).StringEquals,
    ).toMatchObject({
      'aws:userid': { 'Fn::Sub': '${SpokeRole.RoleId}:nightshift-backup-manager' },
    });
  });

  it('takes the hub’s parameters and conditions the statements read, as the hub defines them', () => {
    // Assess
    for (const name of ['ScaledEnvironment', 'AdoptLegacyBackups']) {
      expect(spoke.Parameters?.[name], name).toEqual(hub.Parameters?.[name]);
    }
    expect(spoke.Conditions?.AdoptingLegacyBackups).toEqual(hub.Conditions?.AdoptingLegacyBackups);
    // Nothing of the hub's own: no topic, table, secret or stage parameter.
    for (const name of [
      'Environment',
      'SlackWebhookParameter',
      'TeamsWebhookParameter',
      'DryRun',
    ]) {
      expect(spoke.Parameters?.[name], name).toBeUndefined();
    }
  });

  it('refers only to what it defines', () => {
    // Prepare
    const defined = new Set([
      ...Object.keys(spoke.Parameters ?? {}),
      ...Object.keys(spoke.Resources),
    ]);
    const names = [
      ...[...spokeText.matchAll(/!(?:Ref|GetAtt) ([A-Za-z0-9:]+)/g)].map((match) => match[1]),
      ...[...spokeText.matchAll(/\$\{([A-Za-z0-9:]+)[.}]/g)].map((match) => match[1]),
    ].filter((name): name is string => name !== undefined && !name.startsWith('AWS::'));
    const conditions = [...spokeText.matchAll(/(?:Condition: |!If \[)([A-Za-z]+)/g)].map(
      (match) => match[1],
    );

    // Assess
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !defined.has(name))).toEqual([]);
    expect(conditions.filter((name) => !(name && name in (spoke.Conditions ?? {})))).toEqual([]);
  });

  it('forwards the pipeline events to the hub’s bus only when asked, with a role for that bus only', () => {
    // Prepare
    const rule = spoke.Resources.PipelineEventsRule;
    const role = spoke.Resources.PipelineEventsForwarderRole;

    // Assess
    expect(spoke.Conditions?.ForwardsPipelineEvents).toEqual({
      'Fn::Equals': [{ Ref: 'ForwardPipelineEvents' }, 'true'],
    });
    expect(rule).toMatchObject({
      Type: 'AWS::Events::Rule',
      Condition: 'ForwardsPipelineEvents',
      Properties: {
        EventPattern: { source: ['aws.codepipeline'] },
        Targets: [
          {
            Arn: { Ref: 'HubEventBusArn' },
            RoleArn: { 'Fn::GetAtt': ['PipelineEventsForwarderRole', 'Arn'] },
          },
        ],
      },
    });
    expect(role).toMatchObject({ Condition: 'ForwardsPipelineEvents' });
    // Forwarding without the bus is refused before anything is created.
    expect((spoke as unknown as { Rules: unknown }).Rules).toEqual({
      ForwardingNeedsTheHubsBus: {
        RuleCondition: { 'Fn::Equals': [{ Ref: 'ForwardPipelineEvents' }, 'true'] },
        Assertions: [
          {
            Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'HubEventBusArn' }, ''] }] },
            AssertDescription: expect.stringMatching(/HubEventBusArn/),
          },
        ],
      },
    });

    expect(role?.Properties?.Policies).toEqual([
      {
        PolicyName: 'put-events-on-the-hub-bus',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'OnlyTheHubsBus',
              Effect: 'Allow',
              Action: 'events:PutEvents',
              Resource: { 'Fn::Sub': '${HubEventBusArn}' },
            },
          ],
        },
      },
    ]);
    expect(role?.Properties?.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
  });
});

describe('the rule that keeps a statement in the hub', () => {
  const parameters = new Set(['ScaledEnvironment', 'Environment']);
  const statement = (text: string): YAMLMap => {
    const node = parseDocument(text).contents;
    if (!isMap(node)) throw new Error('not a map');
    return node;
  };

  it.each([
    [
      'a tag-conditioned action on the account',
      'Action: ec2:StopInstances\nResource: !Sub arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*\nCondition:\n  StringEquals:\n    aws:ResourceTag/Environment: !Ref ScaledEnvironment',
    ],
    [
      'KMS through EC2',
      'Action: kms:CreateGrant\nResource: "*"\nCondition:\n  StringEquals:\n    kms:ViaService: !Sub ec2.${AWS::Region}.amazonaws.com',
    ],
    ['a deny on every snapshot', 'Effect: Deny\nAction: ec2:DeleteSnapshot\nResource: "*"'],
  ])('copies %s to the spoke', (_, text) => {
    // Act
    const reason = classifyStatement(statement(text), parameters);

    // Assess
    expect(reason).toBeUndefined();
  });

  it.each([
    [
      'a !Ref of a hub resource',
      'Action: ec2:DescribeInstances\nResource: !Ref ReportsTopic',
      /ReportsTopic/,
    ],
    [
      'a !GetAtt of a hub resource',
      'Action: ec2:DescribeInstances\nResource: !GetAtt ActionsTable.Arn',
      /ActionsTable/,
    ],
    [
      'a Sub naming a hub resource',
      'Action: ec2:DescribeInstances\nResource: !Sub "${Queue.Arn}"',
      /Queue/,
    ],
    [
      'a long-form Ref',
      'Action: ec2:DescribeInstances\nResource:\n  Ref: LinkKeySecret',
      /LinkKeySecret/,
    ],
    [
      'an action on a hub service',
      'Action: [ec2:DescribeInstances, ssm:GetParameter]\nResource: !Sub arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/nightshift/${Environment}/x',
      /ssm:GetParameter/,
    ],
    [
      'KMS through SNS',
      'Action: kms:Decrypt\nResource: "*"\nCondition:\n  StringEquals:\n    kms:ViaService: !Sub sns.${AWS::Region}.amazonaws.com',
      /KMS through sns/,
    ],
  ])('keeps in the hub %s', (_, text, why) => {
    // Act
    const reason = classifyStatement(statement(text), parameters);

    // Assess
    expect(reason).toMatch(why);
  });

  const hubWith = (policies: string): string => `Parameters:
  Environment:
    Type: String
    AllowedPattern: "^[a-z]+$"
    ConstraintDescription: letters.
Resources:
  SnapshotCleanupFunction:
    Properties:
      Policies:
${policies}
`;

  it.each([
    [
      'a managed policy',
      '        - AWSLambdaBasicExecutionRole',
      /policy 1 is not a list of statements/,
    ],
    [
      'a statement without Sid',
      '        - Statement:\n            - Effect: Allow\n              Action: ec2:DescribeSnapshots\n              Resource: "*"',
      /has no Sid/,
    ],
    [
      'an !If that is not a statement or nothing',
      '        - Statement:\n            - !If [C, {Sid: A, Effect: Allow, Action: "ec2:X", Resource: "*"}, {Sid: B, Effect: Allow, Action: "ec2:Y", Resource: "*"}]',
      /must be a map or !If/,
    ],
  ])('refuses %s rather than drop it', (_, policies, message) => {
    // Act
    const act = () => classify(parseDocument(hubWith(policies)), 'snapshot-cleanup');

    // Assess
    expect(act).toThrow(SpokeError);
    expect(act).toThrow(message);
  });
});

describe('the spoke’s managed policies', () => {
  const statements = (count: number, resource: string) =>
    Array.from(
      { length: count },
      (_, index) =>
        parseDocument(
          `Sid: S${index}\nEffect: Allow\nAction: ec2:DescribeInstances\nResource: ${resource}`,
        ).contents as YAMLMap,
    );

  it('splits statements, in their order, into policies that each stay under the limit', () => {
    // Act
    const chunks = chunkStatements(statements(10, '"*"'), 300);

    // Assess
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat().map(sidOf)).toEqual(statements(10, '"*"').map(sidOf));
    for (const chunk of chunks) {
      const size = `{"Version":"2012-10-17","Statement":[${chunk
        .map((node) => JSON.stringify(node.toJSON()))
        .join(',')}]}`.length;
      expect(size).toBeLessThanOrEqual(300);
    }
  });

  it('counts a reference at its longest, so the resolved policy fits too', () => {
    // Act: 64 characters for a parameter's value, not the length of its name.
    const plain = chunkStatements(statements(4, '"x"'), 400);
    const referenced = chunkStatements(statements(4, '!Ref X'), 400);

    // Assess
    expect(plain).toHaveLength(1);
    expect(referenced.length).toBeGreaterThan(1);
  });

  it('refuses a statement longer than a policy may be', () => {
    // Act
    const act = () => chunkStatements(statements(1, '"*"'), 60);

    // Assess
    expect(act).toThrow(/S0 alone is longer/);
  });
});
