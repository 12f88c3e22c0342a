import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { listFunctions } from '../../scripts/lib/functions.ts';
import { WATCHED_LOG_GROUPS } from '../../scripts/template.ts';
import { findHandlerProblems } from './bundles.ts';
import { parseTemplate } from './cfnYaml.ts';

const root = resolve(import.meta.dirname, '../..');
const templatePath = join(root, 'template.yaml');
/** Every function of the list, as the template names it (`SnapshotCleanup`). */
const manifests = listFunctions(root);

describe('SAM template', () => {
  it('points every function at a built bundle that exports its handler', () => {
    // Act
    const { functions, problems } = findHandlerProblems(templatePath);

    // Assess: the functions of the list, and no other.
    expect(functions.length).toBeGreaterThan(0);
    expect([...functions].sort()).toEqual(manifests.map((fn) => `${fn.resource}Function`).sort());
    expect(problems).toEqual([]);
  });

  it('runs every function on Node.js 24 on arm64 with JSON logs and tracing', () => {
    // Act
    const template = parseTemplate(readFileSync(templatePath, 'utf8'));

    // Assess
    expect(template.Globals?.Function).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Tracing: 'Active',
      LoggingConfig: { LogFormat: 'JSON' },
    });
    expect(template.Parameters?.Environment).toBeDefined();
    const overrides = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Serverless::Function')
      .filter(([, r]) =>
        ['Runtime', 'Architectures', 'Tracing'].some((key) => key in (r.Properties ?? {})),
      )
      .map(([id]) => id);
    expect(overrides).toEqual([]);
  });

  it('defines every condition and parameter it names', () => {
    // Arrange
    const template = parseTemplate(readFileSync(templatePath, 'utf8'));
    const conditionsUsed = new Set<string>();
    const refs = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        for (const item of node) walk(item);
        return;
      }
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'Fn::If' && Array.isArray(value) && typeof value[0] === 'string') {
          conditionsUsed.add(value[0]);
        }
        // A CloudFormation condition by name; an IAM statement's Condition is a map.
        if (key === 'Condition' && typeof value === 'string') conditionsUsed.add(value);
        if (key === 'Ref' && typeof value === 'string') refs.add(value);
        walk(value);
      }
    };

    // Act
    walk(template);

    // Assess
    const conditions = Object.keys(template.Conditions ?? {});
    expect(conditionsUsed.size).toBeGreaterThan(0);
    expect([...conditionsUsed].filter((name) => !conditions.includes(name))).toEqual([]);
    const known = [
      ...Object.keys(template.Parameters ?? {}),
      ...Object.keys(template.Resources),
      'AWS::NoValue',
      'AWS::Region',
      'AWS::AccountId',
      'AWS::Partition',
      'AWS::StackName',
    ];
    // SAM names a function's published alias `<Function>.Alias`.
    const unknown = [...refs].filter((name) => !known.includes(name.replace(/\.Alias$/, '')));
    expect(unknown).toEqual([]);
  });

  it('encrypts the reports topic', () => {
    // Act
    const template = parseTemplate(readFileSync(templatePath, 'utf8'));

    // Assess
    expect(template.Resources.ReportsTopic).toMatchObject({
      Type: 'AWS::SNS::Topic',
      Properties: { KmsMasterKeyId: expect.any(String) },
    });
  });
});

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};
type Conditional<T> = { 'Fn::If': [string, T, unknown] };
/** A function's statements; one under `Fn::If` as it is when its condition holds. */
const statementsOf = (logicalId: string): (Statement & { onlyIf?: string })[] => {
  const template = parseTemplate(readFileSync(templatePath, 'utf8'));
  const policies = (template.Resources[logicalId]?.Properties?.Policies ?? []) as {
    Statement?: (Statement | Conditional<Statement>)[];
  }[];
  return policies.flatMap((policy) =>
    (policy.Statement ?? []).map((statement) =>
      'Fn::If' in statement
        ? { ...statement['Fn::If'][1], onlyIf: statement['Fn::If'][0] }
        : statement,
    ),
  );
};

describe('IAM of the functions', () => {
  it('grants only inline statements, never a managed policy or a policy template', () => {
    // Prepare
    const template = parseTemplate(readFileSync(templatePath, 'utf8'));
    const functions = Object.entries(template.Resources).filter(
      ([, r]) => r.Type === 'AWS::Serverless::Function',
    );

    // Act
    const others = functions.flatMap(([id, resource]) =>
      ((resource.Properties?.Policies ?? []) as unknown[])
        .filter(
          (policy) => typeof policy !== 'object' || policy === null || !('Statement' in policy),
        )
        .map((policy) => `${id}: ${JSON.stringify(policy)}`),
    );

    // Assess
    expect(others).toEqual([]);
  });

  it('never allows an action with a wildcard', () => {
    // Prepare
    const template = parseTemplate(readFileSync(templatePath, 'utf8'));
    const functions = Object.entries(template.Resources).filter(
      ([, r]) => r.Type === 'AWS::Serverless::Function',
    );

    // Act
    const wildcards = functions.flatMap(([id]) =>
      statementsOf(id)
        .filter((statement) => statement.Effect === 'Allow')
        .filter((statement) =>
          [statement.Action].flat().some((action) => action === '*' || action.endsWith(':*')),
        )
        .map((statement) => `${id}/${statement.Sid}`),
    );

    // Assess
    expect(functions.length).toBeGreaterThan(0);
    expect(wildcards).toEqual([]);
  });

  it('lets snapshot-cleanup delete snapshots only, and never a permanent one', () => {
    // Act
    const statements = statementsOf('SnapshotCleanupFunction');
    const deleting = statements.filter((statement) =>
      [statement.Action].flat().includes('ec2:DeleteSnapshot'),
    );

    // Assess
    expect(deleting).toHaveLength(5);
    expect(deleting).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}::snapshot/*' },
      }),
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { StringEqualsIgnoreCase: { 'aws:ResourceTag/Retention': 'permanent' } },
      }),
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Null: { 'aws:ResourceTag/aws:dlm:lifecycle-policy-id': 'false' } },
      }),
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Null: { 'aws:ResourceTag/aws:backup:source-resource': 'false' } },
      }),
      expect.objectContaining({
        Effect: 'Deny',
        Condition: {
          StringEquals: {
            'aws:ResourceTag/CreatedBy': ['nightshift', 'lambda-backup-automation'],
            'aws:ResourceTag/AutomatedBackup': 'true',
          },
        },
      }),
    ]);
    expect(statements.find((statement) => statement.Sid === 'PublishReports')).toMatchObject({
      Action: 'sns:Publish',
      Resource: { Ref: 'ReportsTopic' },
    });
  });
});

describe('IAM of backup-manager', () => {
  const statements = () => statementsOf('BackupManagerFunction');
  const bySid = (sid: string) => statements().find((statement) => statement.Sid === sid);
  const marked = (kind: 'RequestTag' | 'ResourceTag') => ({
    [`aws:${kind}/CreatedBy`]: 'nightshift',
    [`aws:${kind}/AutomatedBackup`]: 'true',
  });

  it('snapshots only instances and databases tagged Backup=true', () => {
    expect(bySid('SnapshotInstancesTaggedForBackup')).toMatchObject({
      Action: 'ec2:CreateSnapshots',
      Condition: { StringEquals: { 'aws:ResourceTag/Backup': 'true' } },
    });
    expect(bySid('SnapshotDatabasesTaggedForBackup')).toMatchObject({
      Action: ['rds:CreateDBSnapshot', 'rds:CreateDBClusterSnapshot'],
      Condition: { StringEquals: { 'aws:ResourceTag/Backup': 'true' } },
    });
  });

  it('tags only while creating snapshots, and deletes only what it made', () => {
    // Act
    // Of the backups (a fan-out's queue messages are no backups).
    const unconditionalWrites = statements().filter(
      (statement) =>
        statement.Effect === 'Allow' &&
        [statement.Action].flat().some((action) => /^(ec2|rds):(Delete|CreateTags)/.test(action)) &&
        statement.Condition === undefined,
    );

    // Assess: the one delete without a tag condition is of the original script's
    // untagged database snapshots, limited by their name, and only while adopting them.
    expect(unconditionalWrites).toEqual([
      {
        Sid: 'DeleteTheOriginalScriptsDatabaseSnapshots',
        Effect: 'Allow',
        Action: 'rds:DeleteDBSnapshot',
        Resource: {
          'Fn::Sub':
            'arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:snapshot:*-backup-????????-??????',
        },
        onlyIf: 'AdoptingLegacyBackups',
      },
    ]);
    expect(bySid('DeleteTheOriginalScriptsSnapshots')).toMatchObject({
      onlyIf: 'AdoptingLegacyBackups',
      Condition: {
        StringEquals: {
          'aws:ResourceTag/CreatedBy': 'lambda-backup-automation',
          'aws:ResourceTag/AutomatedBackup': 'true',
        },
      },
    });
    expect(
      statements()
        .filter((statement) => statement.Effect === 'Deny')
        .map((statement) => statement.Sid),
    ).toEqual(
      expect.arrayContaining([
        'NeverDeleteLifecycleManagerSnapshots',
        'NeverDeleteAwsBackupSnapshots',
        'NeverDeletePermanentBackups',
      ]),
    );
    expect(bySid('TagSnapshotsOnlyAtCreation')?.Condition).toEqual({
      StringEquals: { 'ec2:CreateAction': 'CreateSnapshots', ...marked('RequestTag') },
    });
    expect(bySid('DeleteOnlyItsOwnSnapshots')?.Condition).toEqual({
      StringEquals: marked('ResourceTag'),
    });
    expect(bySid('DeleteOnlyItsOwnDatabaseSnapshots')?.Condition).toEqual({
      StringEquals: marked('ResourceTag'),
    });
  });

  it('makes only snapshots that carry its marker tags', () => {
    // Act
    const creatingSnapshots = statements().filter(
      (statement) =>
        statement.Effect === 'Allow' &&
        [statement.Action].flat().some((action) => /Create.*Snapshot|AddTags/.test(action)) &&
        JSON.stringify(statement.Resource).includes('snapshot'),
    );

    // Assess
    expect(creatingSnapshots.map((statement) => statement.Sid)).toEqual([
      'MakeOnlyMarkedSnapshots',
      'NameAndTagDatabaseSnapshots',
    ]);
    for (const statement of creatingSnapshots) {
      expect(statement.Condition, statement.Sid).toEqual({ StringEquals: marked('RequestTag') });
    }
    expect(bySid('SnapshotTheirVolumes')?.Resource).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:volume/*',
    });
  });

  it('never deletes a backup tagged Retention=permanent', () => {
    // Act
    const deleteActions = [
      ...new Set(
        statements()
          .filter((statement) => statement.Effect === 'Allow')
          .flatMap((statement) => [statement.Action].flat())
          .filter((action) => /^(ec2|rds):Delete/.test(action)),
      ),
    ];

    // Assess
    expect(deleteActions).toHaveLength(3);
    expect(bySid('NeverDeletePermanentBackups')).toEqual({
      Sid: 'NeverDeletePermanentBackups',
      Effect: 'Deny',
      Action: expect.arrayContaining(deleteActions),
      Resource: '*',
      Condition: { StringEqualsIgnoreCase: { 'aws:ResourceTag/Retention': 'permanent' } },
    });
  });

  it('passes the scheduled time to the run, so a late or retried run backs up the same day', () => {
    // Prepare
    const template = parseTemplate(readFileSync(templatePath, 'utf8'));

    // Act
    const events = template.Resources.BackupManagerFunction?.Properties?.Events as Record<
      string,
      { Properties: { Input: { 'Fn::Sub': string } } }
    >;
    const input = events.Daily?.Properties.Input['Fn::Sub'] ?? '';

    // Assess
    expect(JSON.parse(input)).toEqual({
      backup_type: 'all',
      environment: '${Environment}',
      id: '<aws.scheduler.execution-id>',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
  });
});

describe('IAM of infra-scaler', () => {
  it('stops, starts, scales and marks only what opted in: Environment and AutoScale=true, or a schedule', () => {
    // Act
    const statements = statementsOf('InfraScalerFunction');
    // The resources it acts on (its records in the actions table have their own test).
    const mutating = statements.filter(
      (statement) =>
        statement.Effect === 'Allow' &&
        [statement.Action]
          .flat()
          .some(
            (action) => !action.startsWith('dynamodb:') && /Stop|Start|Tags|Update/.test(action),
          ),
    );
    const actionsOf = (statement: Statement) => [statement.Action].flat();
    const scheduled = (statement: Statement) =>
      (statement.Condition as { Null?: Record<string, string> } | undefined)?.Null?.[
        'aws:ResourceTag/nightshift:schedule'
      ] === 'false';
    const byEnvironment = mutating.filter((statement) => !scheduled(statement));
    const bySchedule = mutating.filter(scheduled);
    const onGroups = byEnvironment.filter((statement) =>
      actionsOf(statement).every((action) => action.startsWith('autoscaling:')),
    );

    // Assess
    expect(byEnvironment.length).toBeGreaterThanOrEqual(6);
    expect(onGroups.length).toBeGreaterThanOrEqual(2);
    // Auto Scaling groups opt in like instances and databases.
    for (const statement of byEnvironment) {
      expect(statement.Condition, statement.Sid).toMatchObject({
        StringEquals: {
          'aws:ResourceTag/Environment': { Ref: 'ScaledEnvironment' },
          'aws:ResourceTag/AutoScale': 'true',
        },
      });
    }
    for (const statement of byEnvironment.filter((s) => actionsOf(s).some((a) => /Tags/.test(a)))) {
      expect(statement.Condition).toMatchObject({
        'ForAllValues:StringEquals': {
          'aws:TagKeys': onGroups.includes(statement)
            ? ['nightshift:saved-size']
            : ['nightshift:scaled-down'],
        },
      });
    }
    // A schedule's statements: only resources that carry nightshift:schedule, and of their
    // tags only Nightshift's own keys, named in the request.
    expect(bySchedule.map((statement) => statement.Sid).sort()).toEqual([
      'ClearOnScheduledDatabases',
      'ClearOnScheduledGroups',
      'ClearOnScheduledInstances',
      'RecordOnScheduledDatabases',
      'RecordOnScheduledGroups',
      'RecordOnScheduledInstances',
      'ScaleScheduledGroups',
      'StopAndStartScheduledDatabases',
      'StopAndStartScheduledInstances',
    ]);
    for (const statement of bySchedule.filter((s) => actionsOf(s).some((a) => /Tags/.test(a)))) {
      const keys = (statement.Condition as Record<string, Record<string, string[]>>)[
        'ForAllValues:StringEquals'
      ]?.['aws:TagKeys'];
      expect(keys, statement.Sid).toBeDefined();
      for (const key of keys ?? []) expect(key, statement.Sid).toMatch(/^nightshift:/);
      expect(keys, statement.Sid).not.toContain('nightshift:schedule');
      expect(statement.Condition, statement.Sid).toMatchObject({
        Null: { 'aws:TagKeys': 'false' },
      });
    }
    // The schedule's own tag and a snooze are written by people (or a snooze link), never by this role.
    for (const statement of bySchedule.filter((s) =>
      actionsOf(s).some((a) => /CreateTags|CreateOrUpdateTags|AddTags/.test(a)),
    )) {
      const keys = (statement.Condition as Record<string, Record<string, string[]>>)[
        'ForAllValues:StringEquals'
      ]?.['aws:TagKeys'];
      expect(keys, statement.Sid).not.toContain('nightshift:snooze-until');
    }
  });
});

describe('IAM of infra-scaler, encrypted volumes', () => {
  it('may grant EC2 the use of a volume key, only through EC2 and only for an AWS resource', () => {
    // Act
    const statements = statementsOf('InfraScalerFunction');
    const kms = statements.filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('kms:CreateGrant')),
    );

    // Assess
    expect(kms).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'kms:CreateGrant',
        Condition: {
          StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ec2.${AWS::Region}.amazonaws.com' } },
          Bool: { 'kms:GrantIsForAWSResource': 'true' },
        },
      }),
    ]);
  });
});

describe('log-subscription wiring', () => {
  const subscribed = manifests.filter((fn) => fn.trigger === 'log-subscription');

  it.each(subscribed.map((fn) => [fn.name, fn.resource]))(
    'lets only this account’s log groups invoke %s, one subscription per watched group',
    (_, resource) => {
      // Prepare
      const template = parseTemplate(readFileSync(templatePath, 'utf8'));

      // Act
      const permission = template.Resources[`${resource}InvokePermission`];
      const subscriptions = Array.from(
        { length: WATCHED_LOG_GROUPS },
        (_, index) => template.Resources[`${resource}Subscription${index + 1}`],
      );

      // Assess
      expect(permission?.Properties).toMatchObject({
        Principal: 'logs.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        SourceArn: {
          'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*',
        },
      });
      for (const [index, subscription] of subscriptions.entries()) {
        expect(subscription).toMatchObject({
          Type: 'AWS::Logs::SubscriptionFilter',
          Condition: `WatchesLogGroup${index + 1}`,
          DependsOn: `${resource}InvokePermission`,
          Properties: { DestinationArn: { Ref: `${resource}Function.Alias` } },
        });
        expect(JSON.stringify(subscription?.Properties?.LogGroupName)).toContain(
          `{"Fn::Select":[${index},`,
        );
      }
    },
  );

  it('subscribes log-processor to the watched log groups, and lets it publish only to the alert topic', () => {
    // Assess
    expect(subscribed.map((fn) => fn.name)).toContain('log-processor');
    expect(
      statementsOf('LogProcessorFunction').find((statement) => statement.Sid === 'PublishAlerts'),
    ).toMatchObject({
      Action: 'sns:Publish',
      Resource: { Ref: 'AlertTopic' },
    });
  });
});

describe('deploy-notifier wiring', () => {
  it('reads only its webhook parameters, and listens to CodePipeline state changes', () => {
    // Prepare
    const template = parseTemplate(readFileSync(templatePath, 'utf8'));
    const statements = statementsOf('DeployNotifierFunction');

    // Act
    const ssm = statements.find((statement) => statement.Sid === 'ReadTheWebhookParameters');
    const events = template.Resources.DeployNotifierFunction?.Properties?.Events as Record<
      string,
      { Properties: { Pattern: unknown } }
    >;

    // Assess
    expect(ssm?.onlyIf).toBe('HasWebhookParameter');
    expect(template.Conditions?.HasWebhookParameter).toEqual({
      'Fn::Or': [{ Condition: 'HasSlackWebhook' }, { Condition: 'HasTeamsWebhook' }],
    });
    expect(ssm?.Action).toBe('ssm:GetParameter');
    expect(JSON.stringify(ssm?.Resource)).toContain('parameter${SlackWebhookParameter}');
    expect(JSON.stringify(ssm?.Resource)).toContain('parameter${TeamsWebhookParameter}');
    expect(events.PipelineStateChanges?.Properties.Pattern).toEqual({
      source: ['aws.codepipeline'],
      'detail-type': [
        'CodePipeline Pipeline Execution State Change',
        'CodePipeline Stage Execution State Change',
        'CodePipeline Action Execution State Change',
      ],
    });
  });

  it('subscribes to a notification rule’s topic only when one is named, and only that topic may invoke it', () => {
    // Prepare
    const template = parseTemplate(readFileSync(templatePath, 'utf8'));
    const pattern = new RegExp(
      String(template.Parameters?.CodePipelineNotificationTopicArn?.AllowedPattern),
    );

    // Act
    const subscription = template.Resources.DeployNotifierNotificationSubscription;
    const permission = template.Resources.DeployNotifierNotificationPermission;

    // Assess
    expect(template.Parameters?.CodePipelineNotificationTopicArn?.Default).toBe('');
    expect(pattern.test('')).toBe(true);
    expect(pattern.test('arn:aws:sns:eu-west-1:123456789012:codepipeline-notifications')).toBe(
      true,
    );
    expect(pattern.test('arn:aws:sns:eu-west-1:123456789012:*')).toBe(false);
    expect(pattern.test('https://hooks.slack.com/services/T/B/x')).toBe(false);
    expect(subscription).toMatchObject({
      Condition: 'HasNotificationTopic',
      Properties: {
        TopicArn: { Ref: 'CodePipelineNotificationTopicArn' },
        Protocol: 'lambda',
        Endpoint: { Ref: 'DeployNotifierFunction.Alias' },
        FilterPolicyScope: 'MessageBody',
        FilterPolicy: { source: ['aws.codepipeline'] },
      },
    });
    // The pipelines a rule covers arrive through its topic, not twice.
    const rule = (
      template.Resources.DeployNotifierFunction?.Properties?.Events as Record<
        string,
        { Properties: Record<string, unknown> }
      >
    )?.PipelineStateChanges;
    expect(rule?.Properties.State).toEqual({
      'Fn::If': ['HasNotificationTopic', 'DISABLED', 'ENABLED'],
    });
    expect(permission).toMatchObject({
      Condition: 'HasNotificationTopic',
      Properties: {
        Principal: 'sns.amazonaws.com',
        SourceArn: { Ref: 'CodePipelineNotificationTopicArn' },
        FunctionName: { Ref: 'DeployNotifierFunction.Alias' },
      },
    });
  });
});

describe('Operations', () => {
  const template = () => parseTemplate(readFileSync(templatePath, 'utf8'));
  /** The logical-id prefix of every function of the list. */
  const functionIds = () => manifests.map((fn) => fn.resource);
  /** The retries a function's own fragment sets, or the shared default of 2. */
  const retriesOf = (resource: string): unknown => {
    const fn = manifests.find((manifest) => manifest.resource === resource);
    const fragment = parseTemplate(
      readFileSync(resolve(root, 'functions', fn?.name ?? '', 'template.yaml'), 'utf8'),
    );
    const config = fragment.Resources?.[`${resource}Function`]?.Properties?.EventInvokeConfig as
      | { MaximumRetryAttempts?: unknown }
      | undefined;
    return config?.MaximumRetryAttempts ?? 2;
  };

  it('gives every function its log group, a failure destination and alarms', () => {
    // Prepare
    const { Resources } = template();

    // Act & Assess
    expect(functionIds().length).toBeGreaterThan(0);
    for (const name of functionIds()) {
      expect(Resources[`${name}Function`]?.Type, name).toBe('AWS::Serverless::Function');
      const properties = Resources[`${name}Function`]?.Properties ?? {};
      expect(properties.LoggingConfig, name).toEqual({ LogGroup: { Ref: `${name}LogGroup` } });
      expect(Resources[`${name}LogGroup`]?.Properties?.RetentionInDays, name).toEqual({
        Ref: 'LogRetentionDays',
      });
      expect(properties.EventInvokeConfig, name).toMatchObject({
        MaximumRetryAttempts: retriesOf(name),
        DestinationConfig: {
          OnFailure: {
            Type: 'SQS',
            Destination: { 'Fn::GetAtt': [`${name}DeadLetterQueue`, 'Arn'] },
          },
        },
      });
      expect(Resources[`${name}DeadLetterQueue`]?.Properties?.SqsManagedSseEnabled, name).toBe(
        true,
      );
      for (const kind of ['Errors', 'Throttles', 'DeadLetters']) {
        expect(
          Resources[`${name}${kind}Alarm`]?.Properties?.AlarmActions,
          `${name}${kind}Alarm`,
        ).toEqual([{ Ref: 'AlarmTopic' }]);
      }
    }
  });

  it('sends the schedules’ undeliverable events to a dead-letter queue after retries', () => {
    // Prepare
    const { Resources } = template();

    // Act
    const schedules = functionIds().flatMap((name) =>
      Object.values(
        (Resources[`${name}Function`]?.Properties?.Events ?? {}) as Record<
          string,
          { Type: string; Properties: Record<string, unknown> }
        >,
      )
        .filter((event) => event.Type === 'ScheduleV2' || event.Type === 'EventBridgeRule')
        .map((event) => [name, event.Properties] as const),
    );

    // Assess: every scheduled or rule-triggered function has its events.
    for (const fn of manifests.filter((m) => ['schedule', 'event-rule'].includes(m.trigger))) {
      expect(
        schedules.some(([name]) => name === fn.resource),
        `${fn.name} has a ${fn.trigger}`,
      ).toBe(true);
    }
    expect(schedules.length).toBeGreaterThan(0);
    for (const [name, properties] of schedules) {
      expect(properties.RetryPolicy, name).toMatchObject({
        MaximumRetryAttempts: expect.any(Number),
      });
      expect(properties.DeadLetterConfig, name).toEqual({
        Arn: { 'Fn::GetAtt': [`${name}DeadLetterQueue`, 'Arn'] },
      });
    }
  });

  it('releases through the alias live, rolling back on the function’s Errors alarm', () => {
    // Prepare
    const { Resources, Globals } = template();

    // Act & Assess
    expect(Globals?.Function?.AutoPublishAlias).toBe('live');
    for (const name of functionIds()) {
      expect(Resources[`${name}Function`]?.Properties?.DeploymentPreference, name).toEqual({
        Type: { Ref: 'DeploymentType' },
        Alarms: [{ Ref: `${name}ErrorsAlarm` }],
      });
    }
  });

  it('encrypts the alarm topic with a key CloudWatch may use', () => {
    // Prepare
    const { Resources } = template();

    // Act & Assess
    expect(Resources.AlarmTopic?.Properties?.KmsMasterKeyId).toEqual({ Ref: 'AlarmTopicKey' });
    expect(JSON.stringify(Resources.AlarmTopicKey?.Properties?.KeyPolicy)).toContain(
      'cloudwatch.amazonaws.com',
    );
    expect(Resources.CriticalLogLinesAlarm?.Properties).toMatchObject({
      Namespace: 'Nightshift',
      MetricName: 'CriticalErrorCount',
    });
    expect(Resources.BackupFailuresAlarm?.Properties).toMatchObject({
      Namespace: 'Nightshift',
      MetricName: 'BackupFailures',
    });
  });

  it('alarms only on Nightshift metrics a function emits, by its service, and on every failure a 200 invocation hides', () => {
    // Prepare
    const { Resources } = template();
    const emitted = new Set(
      manifests.flatMap((fn) => fn.metrics.map((metric) => `${fn.name}/${metric}`)),
    );

    // Act
    const watched = Object.values(Resources)
      .filter(
        (resource) =>
          resource.Type === 'AWS::CloudWatch::Alarm' &&
          resource.Properties?.Namespace === 'Nightshift',
      )
      .map((resource) => {
        const { MetricName, Dimensions, AlarmActions } = resource.Properties as {
          MetricName: string;
          Dimensions: { Name: string; Value: string }[];
          AlarmActions: unknown[];
        };
        expect(Dimensions).toEqual([{ Name: 'service', Value: expect.any(String) }]);
        expect(AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
        return `${Dimensions[0]?.Value}/${MetricName}`;
      });

    // Assess
    expect(watched.filter((metric) => !emitted.has(metric))).toEqual([]);
    // A link answered with a 500 page is a successful invocation: only its count shows it.
    expect(watched).toContain('chat-actions/LinkErrors');
  });

  it('charts every function and the Nightshift metrics its code really emits', () => {
    // Prepare
    const body = template().Resources.Dashboard?.Properties?.DashboardBody as { 'Fn::Sub': string };
    const dashboard = JSON.parse(body['Fn::Sub']) as {
      widgets: { properties: { title?: string; metrics?: unknown[][] } }[];
    };
    const rows = dashboard.widgets.flatMap((widget) =>
      (widget.properties.metrics ?? []).map((row) => ({ title: widget.properties.title, row })),
    );

    // Act & Assess
    for (const name of functionIds()) {
      for (const metric of ['Invocations', 'Errors', 'Duration']) {
        const charted = rows.some(
          ({ row }) =>
            row[0] === 'AWS/Lambda' && row[1] === metric && row[3] === `\${${name}Function}`,
        );
        expect(charted, `${name} ${metric}`).toBe(true);
      }
    }
    const own = rows.filter(({ row }) => row[0] === 'Nightshift').map(({ row }) => row);
    // Every metric a manifest names is charted, with its function as the service.
    const listed = manifests.flatMap((fn) =>
      fn.metrics.map((metric) => ['Nightshift', metric, 'service', fn.name]),
    );
    expect(listed.length).toBeGreaterThan(0);
    expect(own).toEqual(expect.arrayContaining(listed));
    for (const [, metric, dimension, service] of own) {
      // Powertools adds the dimension service=<function>; the metric must come from that code.
      expect(dimension).toBe('service');
      const sources = readdirSync(join(root, 'functions', String(service), 'src'), {
        recursive: true,
      })
        .filter((file) => String(file).endsWith('.ts') && !String(file).includes('.test.'))
        .map((file) =>
          readFileSync(join(root, 'functions', String(service), 'src', String(file)), 'utf8'),
        )
        .join('\n');
      expect(sources, `${service} emits ${metric}`).toMatch(new RegExp(`\\b${metric}\\b`));
    }
  });

  it('charts the savings and the backup coverage as the manifest groups them, a day at a time', () => {
    // Prepare
    const body = template().Resources.Dashboard?.Properties?.DashboardBody as { 'Fn::Sub': string };
    const dashboard = JSON.parse(body['Fn::Sub']) as {
      widgets: {
        properties: {
          title?: string;
          view?: string;
          stat?: string;
          period?: number;
          metrics?: unknown[][];
        };
      }[];
    };
    const widgetOf = (metric: string) =>
      dashboard.widgets.find((widget) =>
        (widget.properties.metrics ?? []).some(
          (row) => row[0] === 'Nightshift' && row[1] === metric && row[3] === 'morning-report',
        ),
      )?.properties;

    // Act & Assess
    expect(widgetOf('EstimatedSavings')).toEqual(
      expect.objectContaining({ view: 'bar', stat: 'Sum', period: 86_400 }),
    );
    expect(widgetOf('EstimatedSavings')?.title).toMatch(/USD/);
    expect(widgetOf('InstanceHoursStopped')).toBe(widgetOf('SnapshotGiBDeleted'));
    // Missing backups are a level each morning, not a count to add up.
    expect(widgetOf('BackupsMissing')).toEqual(
      expect.objectContaining({ stat: 'Maximum', period: 86_400 }),
    );
  });
});

describe('Bundle check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-template-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const writeTemplate = (functions: Record<string, { CodeUri: string; Handler?: string }>) => {
    const resources = Object.entries(functions)
      .map(
        ([id, props]) =>
          `  ${id}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ${props.CodeUri}\n` +
          (props.Handler ? `      Handler: ${props.Handler}\n` : ''),
      )
      .join('');
    const path = join(dir, 'template.yaml');
    writeFileSync(
      path,
      `Globals:\n  Function:\n    Handler: index.handler\n    Tags:\n      Environment: !Ref Environment\nResources:\n${resources}`,
    );
    return path;
  };

  const bundle = async (name: string, source: string) => {
    mkdirSync(join(dir, 'dist', name), { recursive: true });
    const result = await build({
      stdin: { contents: source, loader: 'ts' },
      outfile: join(dir, 'dist', name, 'index.mjs'),
      format: 'esm',
      bundle: true,
      metafile: true,
      logLevel: 'silent',
    });
    mkdirSync(join(dir, 'dist', '.meta'), { recursive: true });
    writeFileSync(join(dir, 'dist', '.meta', `${name}.json`), JSON.stringify(result.metafile));
  };

  it('accepts a function whose bundle exports the handler, and names each broken one', async () => {
    // Prepare
    await bundle('good', 'export const handler = async () => 1;');
    await bundle('wrong-export', 'export const main = async () => 1;');
    const path = writeTemplate({
      Good: { CodeUri: 'dist/good' },
      WrongExport: { CodeUri: 'dist/wrong-export' },
      NotBuilt: { CodeUri: 'dist/not-built' },
      WrongFile: { CodeUri: 'dist/good', Handler: 'app.handler' },
    });

    // Act
    const { functions, problems } = findHandlerProblems(path);

    // Assess
    expect(functions).toEqual(['Good', 'WrongExport', 'NotBuilt', 'WrongFile']);
    expect(problems).toEqual([
      'WrongExport: dist/wrong-export/index.mjs does not export handler',
      'NotBuilt: no bundle index.mjs in dist/not-built (run the build)',
      'WrongFile: no bundle app.mjs in dist/good (run the build)',
    ]);
  });
});
