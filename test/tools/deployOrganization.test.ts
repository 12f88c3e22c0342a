import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CommandResult,
  DeployError,
  DeployUsageError,
  deployOrganization,
  hubDeploy,
  hubRegion,
  missingInstances,
  type OrganizationDeployInput,
  parseDeployArgs,
  parseOverrides,
  readStageConfig,
  shellQuote,
  spokeParameters,
  withOverride,
} from '../../scripts/lib/deployOrganization.ts';
import { parseTemplate } from '../template/cfnYaml.ts';

const root = resolve(import.meta.dirname, '../..');
const samconfig = readFileSync(join(root, 'samconfig.toml'), 'utf8');
const OU_A = 'ou-ab12-cdefgh34';
const OU_B = 'ou-ab12-ijklmn56';
const HUB = '111122223333';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DeployUsageError);
    return (error as Error).message;
  }
  throw new Error('not refused');
};

describe('deploy arguments', () => {
  it('takes the organization options and leaves the rest to sam deploy', () => {
    // Act
    const parsed = parseDeployArgs([
      '--organization',
      '--ous',
      `${OU_A},${OU_B},${OU_A}`,
      '--no-confirm-changeset',
      '--regions=eu-west-1,us-east-1',
      '--forward-pipeline-events',
      '--dry-run',
      '--profile',
      'ops',
    ]);

    // Assess
    expect(parsed).toEqual({
      organization: {
        ous: [OU_A, OU_B],
        regions: ['eu-west-1', 'us-east-1'],
        forwardPipelineEvents: true,
        dryRun: true,
      },
      samArgs: ['--no-confirm-changeset', '--profile', 'ops'],
    });
  });

  it('without --organization, is today’s deploy: every argument goes to sam deploy', () => {
    // Act
    const parsed = parseDeployArgs(['--no-confirm-changeset', '--region', 'eu-west-1']);

    // Assess
    expect(parsed).toEqual({
      organization: undefined,
      samArgs: ['--no-confirm-changeset', '--region', 'eu-west-1'],
    });
  });

  it('takes lists written with spaces after the commas', () => {
    // Act
    const parsed = parseDeployArgs([
      '--organization',
      '--ous',
      `${OU_A}, ${OU_B}`,
      '--regions',
      'eu-west-1, us-east-1',
    ]);

    // Assess
    expect(parsed.organization).toMatchObject({
      ous: [OU_A, OU_B],
      regions: ['eu-west-1', 'us-east-1'],
    });
  });

  it('takes a root id as a target, and the hub’s Region when no --regions is given', () => {
    // Act
    const parsed = parseDeployArgs(['--organization', '--ous=r-ab12']);

    // Assess
    expect(parsed.organization).toEqual({
      ous: ['r-ab12'],
      regions: undefined,
      forwardPipelineEvents: false,
      dryRun: false,
    });
  });

  it.each([
    [['--organization'], /^--organization needs --ous/],
    [['--organization', '--ous', 'ou-ab12'], /^--ous: "ou-ab12" is not an? OU id/],
    [['--organization', '--ous', `${OU_A},,${OU_B}`], /^--ous: \(empty\) is not/],
    [['--organization', '--ous', 'OU-AB12-CDEFGH34'], /^--ous: "OU-AB12-CDEFGH34"/],
    [['--organization', '--ous'], /^--ous needs a value/],
    [['--organization', '--ous', '--dry-run'], /^--ous needs a value/],
    [['--organization', '--ous', OU_A, '--regions', 'eu-west-1,Europe'], /^--regions: "Europe"/],
    [['--organization', '--ous', OU_A, '--regions', 'eu-west-10'], /^--regions: "eu-west-10"/],
    [['--organization', '--ous', OU_A, '--regions='], /^--regions needs a value/],
    [['--ous', OU_A], /^--ous works with --organization only/],
    [['--regions', 'eu-west-1'], /^--regions works with --organization only/],
    [['--forward-pipeline-events'], /^--forward-pipeline-events works with --organization only/],
    [['--dry-run'], /^--dry-run works with --organization only/],
    [['--organization=yes', '--ous', OU_A], /^--organization takes no value/],
  ])('refuses %j with a message naming the option', (args, message) => {
    // Act
    const text = refusal(() => parseDeployArgs(args));

    // Assess
    expect(text).toMatch(message);
  });
});

describe('the stage and its hub deploy', () => {
  const stageConfig = readStageConfig(samconfig, 'production');

  it('reads the stage’s stack name and parameter overrides from samconfig.toml', () => {
    // Assess
    expect(stageConfig).toEqual({
      stackName: 'nightshift-production',
      parameterOverrides:
        'Environment=production ScaledEnvironment=staging DeploymentType=Canary10Percent5Minutes',
    });
    expect(readStageConfig(samconfig, 'staging').stackName).toBe('nightshift-staging');
    expect(refusal(() => readStageConfig(samconfig, 'qa'))).toMatch(/stack_name for the stage qa/);
  });

  it('runs sam deploy as today, with the targets and the settings the spoke repeats', () => {
    // Act
    const hub = hubDeploy({
      stage: 'production',
      stageConfig,
      samArgs: ['--no-confirm-changeset'],
      ous: [OU_A, OU_B],
      regions: ['eu-west-1', 'us-east-1'],
    });

    // Assess
    expect(hub.command).toEqual([
      'sam',
      'deploy',
      '--config-env',
      'production',
      '--no-confirm-changeset',
      '--parameter-overrides',
      `Environment=production DeploymentType=Canary10Percent5Minutes TargetAccounts=organization:${OU_A},${OU_B} TargetRegions=eu-west-1,us-east-1 ScaledEnvironment=staging AdoptLegacyBackups=true`,
    ]);
    expect(hub.settings).toEqual({
      environment: 'production',
      scaledEnvironment: 'staging',
      adoptLegacyBackups: 'true',
    });
  });

  it('keeps the overrides given on the command line over the stage’s, in one list', () => {
    // Act
    const hub = hubDeploy({
      stage: 'production',
      stageConfig,
      samArgs: [
        '--parameter-overrides',
        'ScaledEnvironment=qa AdoptLegacyBackups=false AlarmEmail="ops@example.com"',
        '--region',
        'eu-west-1',
      ],
      ous: [OU_A],
      regions: ['eu-west-1'],
    });

    // Assess
    expect(hub.command.slice(4)).toEqual([
      '--region',
      'eu-west-1',
      '--parameter-overrides',
      `Environment=production DeploymentType=Canary10Percent5Minutes AlarmEmail="ops@example.com" TargetAccounts=organization:${OU_A} TargetRegions=eu-west-1 ScaledEnvironment=qa AdoptLegacyBackups=false`,
    ]);
    expect(hub.settings).toEqual({
      environment: 'production',
      scaledEnvironment: 'qa',
      adoptLegacyBackups: 'false',
    });
  });

  it('takes the stage as the environment, and the template’s defaults, when nothing names them', () => {
    // Act
    const hub = hubDeploy({
      stage: 'staging',
      stageConfig: { stackName: 'nightshift-staging', parameterOverrides: '' },
      samArgs: [],
      ous: [OU_A],
      regions: ['eu-west-1'],
    });

    // Assess
    expect(hub.settings).toEqual({
      environment: 'staging',
      scaledEnvironment: 'staging',
      adoptLegacyBackups: 'true',
    });
  });

  it.each(['TargetAccounts=self', 'TargetRegions=us-east-1'])(
    'refuses %s given by hand next to --organization',
    (override) => {
      // Act
      const text = refusal(() =>
        hubDeploy({
          stage: 'staging',
          stageConfig,
          samArgs: ['--parameter-overrides', override],
          ous: [OU_A],
          regions: ['eu-west-1'],
        }),
      );

      // Assess
      expect(text).toMatch(
        /^--parameter-overrides: Target(Accounts|Regions) is set by --organization/,
      );
    },
  );

  it('reads both forms of parameter overrides and refuses anything else', () => {
    // Act
    const items = parseOverrides(
      'A=1 ParameterKey=B,ParameterValue=two Schedules=\'{"schedules": {}}\'',
      'x',
    );

    // Assess
    expect(items.map(({ key, value }) => [key, value])).toEqual([
      ['A', '1'],
      ['B', 'two'],
      ['Schedules', '{"schedules": {}}'],
    ]);
    expect(refusal(() => parseOverrides('A=1 oops', 'samconfig.toml'))).toBe(
      'samconfig.toml: "oops" is not Key=Value',
    );
  });

  it('gives the hub values its template accepts', () => {
    // Prepare
    const template = parseTemplate(readFileSync(join(root, 'template.yaml'), 'utf8'));
    const hub = hubDeploy({
      stage: 'production',
      stageConfig,
      samArgs: [],
      ous: [OU_A, 'r-ab12'],
      regions: ['eu-west-1', 'us-gov-west-1'],
    });
    const overrides = parseOverrides(hub.command.at(-1) as string, 'hub');

    // Assess
    for (const { key, value } of overrides) {
      const pattern = template.Parameters?.[key]?.AllowedPattern as string | undefined;
      expect(template.Parameters?.[key], key).toBeDefined();
      if (pattern !== undefined) expect(value, key).toMatch(new RegExp(pattern));
    }
  });
});

describe('the hub’s Region', () => {
  it('is --region, then AWS_REGION, AWS_DEFAULT_REGION, then the profile’s', () => {
    // Assess
    const env = { AWS_REGION: 'eu-west-2', AWS_DEFAULT_REGION: 'eu-west-3' };
    expect(hubRegion(['--region', 'eu-west-1'], env, 'us-east-1')).toBe('eu-west-1');
    expect(hubRegion(['--region=eu-west-1'], env, 'us-east-1')).toBe('eu-west-1');
    expect(hubRegion([], env, 'us-east-1')).toBe('eu-west-2');
    expect(hubRegion([], { AWS_DEFAULT_REGION: 'eu-west-3' }, 'us-east-1')).toBe('eu-west-3');
    expect(hubRegion([], {}, 'us-east-1\n')).toBe('us-east-1');
  });

  it('is refused when nothing names one, or it is not a Region', () => {
    // Assess
    expect(refusal(() => hubRegion([], {}, undefined))).toMatch(/^no Region to deploy the hub to/);
    expect(refusal(() => hubRegion(['--region', 'moon'], {}, undefined))).toBe(
      '--region: "moon" is not a Region name (eu-west-1)',
    );
  });
});

describe('the spoke’s parameters', () => {
  const hub = {
    accountId: HUB,
    partition: 'aws-us-gov',
    region: 'us-gov-west-1',
    organizationId: 'o-a1b2c3d4e5',
    managementAccountId: HUB,
  };
  const settings = {
    environment: 'production',
    scaledEnvironment: 'qa',
    adoptLegacyBackups: 'false',
  };

  it('are filled from the hub, the role made in the hub’s Region, no forwarding by default', () => {
    // Act
    const parameters = spokeParameters({
      hub,
      settings,
      stackName: 'nightshift-production',
      regions: ['us-gov-east-1', 'us-gov-west-1'],
      forwardPipelineEvents: false,
    });

    // Assess
    expect(parameters).toEqual([
      ['HubAccountId', HUB],
      ['HubEnvironment', 'production'],
      ['OrganizationId', 'o-a1b2c3d4e5'],
      ['HubStackName', 'nightshift-production'],
      ['RoleRegion', 'us-gov-west-1'],
      ['ForwardPipelineEvents', 'false'],
      ['HubEventBusArn', ''],
      ['AdoptLegacyBackups', 'false'],
      ['ScaledEnvironment', 'qa'],
    ]);
  });

  it('make the role in the first Region when the hub’s is not one, and forward to its default bus', () => {
    // Act
    const parameters = new Map(
      spokeParameters({
        hub,
        settings,
        stackName: 'nightshift-production',
        regions: ['us-gov-east-1'],
        forwardPipelineEvents: true,
      }),
    );

    // Assess
    expect(parameters.get('RoleRegion')).toBe('us-gov-east-1');
    expect(parameters.get('ForwardPipelineEvents')).toBe('true');
    expect(parameters.get('HubEventBusArn')).toBe(
      `arn:aws-us-gov:events:us-gov-west-1:${HUB}:event-bus/default`,
    );
  });

  it('are exactly the parameters of spoke.yaml, each a value it accepts', () => {
    // Prepare
    const spoke = parseTemplate(readFileSync(join(root, 'spoke.yaml'), 'utf8'));

    // Act
    const parameters = spokeParameters({
      hub: { ...hub, partition: 'aws', region: 'eu-west-1' },
      settings,
      stackName: 'nightshift-production',
      regions: ['eu-west-1', 'us-east-1'],
      forwardPipelineEvents: true,
    });

    // Assess
    expect(parameters.map(([key]) => key).sort()).toEqual(
      Object.keys(spoke.Parameters ?? {}).sort(),
    );
    for (const [key, value] of parameters) {
      const pattern = spoke.Parameters?.[key]?.AllowedPattern as string | undefined;
      const allowed = spoke.Parameters?.[key]?.AllowedValues as string[] | undefined;
      if (pattern !== undefined) expect(value, key).toMatch(new RegExp(pattern));
      if (allowed !== undefined) expect(allowed, key).toContain(value);
    }
  });
});

describe('stack instances to create', () => {
  it('are the OUs missing in each Region, Regions missing the same OUs in one call', () => {
    // Act
    const missing = missingInstances(
      [
        { OrganizationalUnitId: OU_A, Region: 'eu-west-1' },
        { OrganizationalUnitId: OU_A, Region: 'eu-west-1' },
        { OrganizationalUnitId: OU_B, Region: 'eu-west-1' },
        { OrganizationalUnitId: OU_A, Region: 'us-east-1' },
        { OrganizationalUnitId: OU_A, Region: 'eu-central-1' },
      ],
      [OU_A, OU_B],
      ['eu-west-1', 'us-east-1', 'eu-central-1', 'ap-south-1'],
    );

    // Assess
    expect(missing).toEqual([
      { ous: [OU_B], regions: ['us-east-1', 'eu-central-1'] },
      { ous: [OU_A, OU_B], regions: ['ap-south-1'] },
    ]);
  });
});

/** A runner that answers the AWS look-ups from a script and records every command. */
const fakeAws = (answers: {
  account?: string;
  stackSetExists?: boolean;
  describeStackSetError?: string;
  instances?: { OrganizationalUnitId: string; Region: string }[];
  statuses?: string[];
  results?: { Account: string; Region: string; Status: string; StatusReason?: string }[];
  failOn?: string;
}) => {
  const ran: { command: string[]; interactive: boolean }[] = [];
  const statuses = [...(answers.statuses ?? ['SUCCEEDED'])];
  let operations = 0;
  const ok = (value: unknown): CommandResult => ({
    code: 0,
    stdout: JSON.stringify(value),
    stderr: '',
  });
  const run = async (command: readonly string[], options: { interactive: boolean }) => {
    ran.push({ command: [...command], interactive: options.interactive });
    const what = command.slice(0, 3).join(' ');
    if (answers.failOn !== undefined && what.includes(answers.failOn)) {
      return { code: 254, stdout: '', stderr: `An error occurred in ${answers.failOn}` };
    }
    switch (what) {
      case 'aws sts get-caller-identity':
        return ok({
          Account: answers.account ?? HUB,
          Arn: `arn:aws:iam::${answers.account ?? HUB}:user/ops`,
        });
      case 'aws organizations describe-organization':
        return ok({ Organization: { Id: 'o-a1b2c3d4e5', MasterAccountId: HUB } });
      case 'aws cloudformation describe-stack-set':
        if (answers.describeStackSetError !== undefined) {
          return { code: 254, stdout: '', stderr: answers.describeStackSetError };
        }
        return answers.stackSetExists
          ? ok({ StackSet: {} })
          : {
              code: 254,
              stdout: '',
              stderr:
                'An error occurred (StackSetNotFoundException) when calling the DescribeStackSet operation',
            };
      case 'aws cloudformation list-stack-instances':
        return ok({ Summaries: answers.instances ?? [] });
      case 'aws cloudformation create-stack-set':
        return ok({ StackSetId: 'nightshift-production-spoke:1' });
      case 'aws cloudformation update-stack-set':
      case 'aws cloudformation create-stack-instances':
        operations++;
        return ok({ OperationId: `op-${operations}` });
      case 'aws cloudformation describe-stack-set-operation':
        return ok({ StackSetOperation: { Status: statuses.shift() ?? 'SUCCEEDED' } });
      case 'aws cloudformation list-stack-set-operation-results':
        return ok({ Summaries: answers.results ?? [] });
      case 'sam deploy --config-env':
        return { code: 0, stdout: '', stderr: '' };
      default:
        throw new Error(`unexpected command ${what}`);
    }
  };
  const logs: string[] = [];
  const sleeps: number[] = [];
  return {
    ran,
    logs,
    sleeps,
    names: () => ran.map(({ command }) => command.slice(0, 3).join(' ')),
    deps: {
      run,
      log: (line: string) => logs.push(line),
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
    },
  };
};

const input = (
  options: Partial<OrganizationDeployInput['options']> = {},
): OrganizationDeployInput => ({
  stage: 'production',
  options: {
    ous: [OU_A, OU_B],
    regions: undefined,
    forwardPipelineEvents: false,
    dryRun: false,
    ...options,
  },
  samArgs: ['--profile', 'ops'],
  stageConfig: readStageConfig(samconfig, 'production'),
  templateFile: 'spoke.yaml',
  configuredRegion: undefined,
  env: { AWS_REGION: 'eu-west-1' },
  pollMs: 5,
});

const TAIL = ['--region', 'eu-west-1', '--profile', 'ops', '--output', 'json'];
const SPOKE_PARAMETERS = [
  `ParameterKey=HubAccountId,ParameterValue=${HUB}`,
  'ParameterKey=HubEnvironment,ParameterValue=production',
  'ParameterKey=OrganizationId,ParameterValue=o-a1b2c3d4e5',
  'ParameterKey=HubStackName,ParameterValue=nightshift-production',
  'ParameterKey=RoleRegion,ParameterValue=eu-west-1',
  'ParameterKey=ForwardPipelineEvents,ParameterValue=false',
  'ParameterKey=HubEventBusArn,ParameterValue=',
  'ParameterKey=AdoptLegacyBackups,ParameterValue=true',
  'ParameterKey=ScaledEnvironment,ParameterValue=staging',
];

describe('an organization deploy', () => {
  it('the first time: the hub, then a new service-managed stack set and its instances, waited for', async () => {
    // Prepare
    const aws = fakeAws({ statuses: ['RUNNING', 'RUNNING', 'SUCCEEDED'] });

    // Act
    const done = await deployOrganization(input(), aws.deps);

    // Assess
    expect(aws.names()).toEqual([
      'aws sts get-caller-identity',
      'aws organizations describe-organization',
      'sam deploy --config-env',
      'aws cloudformation describe-stack-set',
      'aws cloudformation create-stack-set',
      'aws cloudformation create-stack-instances',
      'aws cloudformation describe-stack-set-operation',
      'aws cloudformation describe-stack-set-operation',
      'aws cloudformation describe-stack-set-operation',
      'aws cloudformation list-stack-set-operation-results',
    ]);
    expect(aws.ran[2]).toEqual({
      command: [
        'sam',
        'deploy',
        '--config-env',
        'production',
        '--profile',
        'ops',
        '--parameter-overrides',
        `Environment=production DeploymentType=Canary10Percent5Minutes TargetAccounts=organization:${OU_A},${OU_B} TargetRegions=eu-west-1 ScaledEnvironment=staging AdoptLegacyBackups=true`,
      ],
      interactive: true,
    });
    expect(aws.ran[4]?.command).toEqual([
      'aws',
      'cloudformation',
      'create-stack-set',
      '--stack-set-name',
      'nightshift-production-spoke',
      '--description',
      'Nightshift spoke: the role the hub assumes in each account of the organization',
      '--template-body',
      'file://spoke.yaml',
      '--permission-model',
      'SERVICE_MANAGED',
      '--auto-deployment',
      'Enabled=true,RetainStacksOnAccountRemoval=false',
      '--capabilities',
      'CAPABILITY_NAMED_IAM',
      '--parameters',
      ...SPOKE_PARAMETERS,
      ...TAIL,
    ]);
    expect(aws.ran[5]?.command).toEqual([
      'aws',
      'cloudformation',
      'create-stack-instances',
      '--stack-set-name',
      'nightshift-production-spoke',
      '--deployment-targets',
      `OrganizationalUnitIds=${OU_A},${OU_B}`,
      '--regions',
      'eu-west-1',
      '--operation-preferences',
      'RegionConcurrencyType=PARALLEL,MaxConcurrentPercentage=100,FailureTolerancePercentage=10,ConcurrencyMode=SOFT_FAILURE_TOLERANCE',
      ...TAIL,
    ]);
    expect(aws.ran[6]?.command).toEqual([
      'aws',
      'cloudformation',
      'describe-stack-set-operation',
      '--stack-set-name',
      'nightshift-production-spoke',
      '--operation-id',
      'op-1',
      ...TAIL,
    ]);
    expect(aws.sleeps).toEqual([5, 5]);
    expect(done.stackSetName).toBe('nightshift-production-spoke');
    expect(aws.logs).toContain(
      'deploy: stack set nightshift-production-spoke: operation op-1 succeeded',
    );
  });

  it('again: updates the stack set everywhere, then adds only the OUs and Regions it lacks', async () => {
    // Prepare
    const aws = fakeAws({
      stackSetExists: true,
      instances: [
        { OrganizationalUnitId: OU_A, Region: 'eu-west-1' },
        { OrganizationalUnitId: OU_B, Region: 'eu-west-1' },
      ],
    });

    // Act
    await deployOrganization(input({ regions: ['eu-west-1', 'us-east-1'] }), aws.deps);

    // Assess
    expect(aws.names()).toEqual([
      'aws sts get-caller-identity',
      'aws organizations describe-organization',
      'sam deploy --config-env',
      'aws cloudformation describe-stack-set',
      'aws cloudformation update-stack-set',
      'aws cloudformation describe-stack-set-operation',
      'aws cloudformation list-stack-set-operation-results',
      'aws cloudformation list-stack-instances',
      'aws cloudformation create-stack-instances',
      'aws cloudformation describe-stack-set-operation',
      'aws cloudformation list-stack-set-operation-results',
    ]);
    expect(aws.ran[4]?.command).toEqual([
      'aws',
      'cloudformation',
      'update-stack-set',
      '--stack-set-name',
      'nightshift-production-spoke',
      '--template-body',
      'file://spoke.yaml',
      '--auto-deployment',
      'Enabled=true,RetainStacksOnAccountRemoval=false',
      '--capabilities',
      'CAPABILITY_NAMED_IAM',
      '--parameters',
      ...SPOKE_PARAMETERS,
      '--operation-preferences',
      'RegionConcurrencyType=PARALLEL,MaxConcurrentPercentage=100,FailureTolerancePercentage=10,ConcurrencyMode=SOFT_FAILURE_TOLERANCE',
      ...TAIL,
    ]);
    expect(aws.ran[8]?.command.slice(5, 9)).toEqual([
      '--deployment-targets',
      `OrganizationalUnitIds=${OU_A},${OU_B}`,
      '--regions',
      'us-east-1',
    ]);
    expect(aws.ran[9]?.command).toContain('op-2');
    expect(aws.ran[2]?.command.at(-1)).toContain('TargetRegions=eu-west-1,us-east-1');
  });

  it('adds no instance when every OU already has them in every Region', async () => {
    // Prepare
    const aws = fakeAws({
      stackSetExists: true,
      instances: [
        { OrganizationalUnitId: OU_A, Region: 'eu-west-1' },
        { OrganizationalUnitId: OU_B, Region: 'eu-west-1' },
      ],
    });

    // Act
    await deployOrganization(input(), aws.deps);

    // Assess
    expect(aws.names().filter((name) => name.endsWith('create-stack-instances'))).toEqual([]);
  });

  it('from a delegated administrator account, calls the stack set as one', async () => {
    // Prepare
    const aws = fakeAws({ account: '444455556666' });

    // Act
    const done = await deployOrganization(input(), aws.deps);

    // Assess
    const stackSetCalls = aws.ran.filter(({ command }) => command[1] === 'cloudformation');
    expect(stackSetCalls.length).toBeGreaterThan(0);
    for (const { command } of stackSetCalls) {
      expect(command.join(' ')).toContain('--call-as DELEGATED_ADMIN');
    }
    expect(aws.ran[0]?.command).not.toContain('--call-as');
    expect(done.parameters[0]).toEqual(['HubAccountId', '444455556666']);
  });

  it('forwards the pipeline events to the hub account’s default bus in the hub’s Region', async () => {
    // Prepare
    const aws = fakeAws({});

    // Act
    await deployOrganization(input({ forwardPipelineEvents: true }), aws.deps);

    // Assess: the hub's bus lets the organization put events, the spokes forward to it.
    expect(aws.ran[2]?.command.at(-1)).toMatch(/ PipelineEventsOrganizationId=o-a1b2c3d4e5$/);
    expect(aws.ran[4]?.command).toContain('ParameterKey=ForwardPipelineEvents,ParameterValue=true');
    expect(aws.ran[4]?.command).toContain(
      `ParameterKey=HubEventBusArn,ParameterValue=arn:aws:events:eu-west-1:${HUB}:event-bus/default`,
    );
  });

  it('with --dry-run, runs the look-ups and prints every change instead of making it', async () => {
    // Prepare
    const aws = fakeAws({ stackSetExists: true, instances: [] });

    // Act
    await deployOrganization(input({ dryRun: true }), aws.deps);

    // Assess
    expect(aws.names()).toEqual([
      'aws sts get-caller-identity',
      'aws organizations describe-organization',
      'aws cloudformation describe-stack-set',
      'aws cloudformation list-stack-instances',
    ]);
    expect(aws.logs.filter((line) => line.startsWith('deploy: would run: '))).toEqual([
      expect.stringMatching(
        /^deploy: would run: sam deploy --config-env production --profile ops --parameter-overrides 'Environment=production /,
      ),
      expect.stringMatching(/^deploy: would run: aws cloudformation update-stack-set /),
      `deploy: would run: aws cloudformation create-stack-instances --stack-set-name nightshift-production-spoke --deployment-targets OrganizationalUnitIds=${OU_A},${OU_B} --regions eu-west-1 --operation-preferences RegionConcurrencyType=PARALLEL,MaxConcurrentPercentage=100,FailureTolerancePercentage=10,ConcurrencyMode=SOFT_FAILURE_TOLERANCE --region eu-west-1 --profile ops --output json`,
    ]);
  });

  it('changes nothing when the organization cannot be read', async () => {
    // Prepare
    const aws = fakeAws({ failOn: 'describe-organization' });

    // Act
    const deploying = deployOrganization(input(), aws.deps);

    // Assess
    await expect(deploying).rejects.toThrow(
      new DeployError(
        'aws organizations describe-organization failed: An error occurred in describe-organization',
      ),
    );
    expect(aws.names()).not.toContain('sam deploy --config-env');
  });

  it('changes nothing when the input is refused', async () => {
    // Prepare
    const aws = fakeAws({});

    // Act
    const deploying = deployOrganization({ ...input(), env: {} }, aws.deps);

    // Assess
    await expect(deploying).rejects.toThrow(DeployUsageError);
    expect(aws.ran).toEqual([]);
  });

  it('stops when sam deploy fails, before the stack set', async () => {
    // Prepare
    const aws = fakeAws({ failOn: 'sam deploy' });

    // Act
    const deploying = deployOrganization(input(), aws.deps);

    // Assess
    await expect(deploying).rejects.toThrow(/^sam deploy --config-env failed \(exit 254\)/);
    expect(aws.names().at(-1)).toBe('sam deploy --config-env');
  });

  it('names the accounts and Regions an operation left without a spoke within its tolerance', async () => {
    // Prepare
    const aws = fakeAws({
      results: [
        { Account: '444455556666', Region: 'eu-west-1', Status: 'SUCCEEDED' },
        {
          Account: '777788889999',
          Region: 'eu-west-1',
          Status: 'FAILED',
          StatusReason: 'Role already exists',
        },
        { Account: '777788880000', Region: 'eu-west-1', Status: 'CANCELLED' },
      ],
    });

    // Act
    await deployOrganization(input(), aws.deps);

    // Assess
    expect(aws.ran.at(-1)?.command).toEqual([
      'aws',
      'cloudformation',
      'list-stack-set-operation-results',
      '--stack-set-name',
      'nightshift-production-spoke',
      '--operation-id',
      'op-1',
      ...TAIL,
    ]);
    expect(aws.logs.slice(-3)).toEqual([
      'deploy: warning: stack set nightshift-production-spoke: no spoke in 777788889999 eu-west-1 (FAILED: Role already exists)',
      'deploy: warning: stack set nightshift-production-spoke: no spoke in 777788880000 eu-west-1 (CANCELLED: no reason given)',
      'deploy: stack set nightshift-production-spoke: operation op-1 succeeded, 2 account Region(s) failed within the tolerance',
    ]);
  });

  it('fails loudly when a stack set operation fails, naming how to see why', async () => {
    // Prepare
    const aws = fakeAws({ statuses: ['RUNNING', 'FAILED'] });

    // Act
    const deploying = deployOrganization(input(), aws.deps);

    // Assess
    await expect(deploying).rejects.toThrow(
      'stack set nightshift-production-spoke: operation op-1 FAILED; see aws cloudformation list-stack-set-operation-results --stack-set-name nightshift-production-spoke --operation-id op-1',
    );
  });

  it('creates no stack set when describing it fails for another reason', async () => {
    // Prepare
    const aws = fakeAws({ describeStackSetError: 'An error occurred (AccessDenied)' });

    // Act
    const deploying = deployOrganization(input(), aws.deps);

    // Assess
    await expect(deploying).rejects.toThrow(
      'describe-stack-set nightshift-production-spoke failed: An error occurred (AccessDenied)',
    );
    expect(aws.names().at(-1)).toBe('aws cloudformation describe-stack-set');
  });
});

describe('shellQuote', () => {
  it('quotes what a shell would split or expand, and nothing else', () => {
    // Assess
    expect(shellQuote(['aws', 'a=b,c', 'two words', "it's", '$HOME', ''])).toBe(
      `aws a=b,c 'two words' 'it'\\''s' '$HOME' ''`,
    );
  });
});

describe('scripts/deploy.sh --organization', () => {
  /** deploy.sh with fake aws and sam first on PATH, each recording its arguments. */
  const deploy = (args: string[], env: Record<string, string> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-'));
    const log = join(dir, 'calls.log');
    writeFileSync(
      join(dir, 'aws'),
      `#!/bin/sh
echo "aws $*" >>"${log}"
case "$1 $2" in
  "sts get-caller-identity") echo '{"Account": "${HUB}", "Arn": "arn:aws:iam::${HUB}:user/ops"}' ;;
  "organizations describe-organization") echo '{"Organization": {"Id": "o-a1b2c3d4e5", "MasterAccountId": "${HUB}"}}' ;;
  "cloudformation describe-stack-set") echo 'An error occurred (StackSetNotFoundException)' >&2; exit 254 ;;
  "configure get") exit 1 ;;
  *) echo "unexpected" >&2; exit 99 ;;
esac
`,
    );
    writeFileSync(join(dir, 'sam'), `#!/bin/sh\necho "sam $*" >>"${log}"\nexit 99\n`);
    chmodSync(join(dir, 'aws'), 0o755);
    chmodSync(join(dir, 'sam'), 0o755);
    const result = spawnSync('bash', [join(root, 'scripts/deploy.sh'), ...args], {
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: `${dir}:${process.env.PATH}`,
        AWS_REGION: '',
        AWS_DEFAULT_REGION: '',
        ...env,
      },
    });
    let calls: string[] = [];
    try {
      calls = readFileSync(log, 'utf8').trim().split('\n');
    } catch {
      calls = [];
    }
    return { ...result, calls };
  };

  it('with --dry-run, prints the hub deploy and the new stack set, and only looks things up', () => {
    // Act
    const result = deploy(
      [
        'production',
        '--organization',
        '--ous',
        OU_A,
        '--regions',
        'eu-west-1,us-east-1',
        '--dry-run',
      ],
      { AWS_REGION: 'eu-west-1' },
    );

    // Assess
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.calls).toEqual([
      'aws sts get-caller-identity --region eu-west-1 --output json',
      'aws organizations describe-organization --region eu-west-1 --output json',
      'aws cloudformation describe-stack-set --stack-set-name nightshift-production-spoke --region eu-west-1 --output json',
    ]);
    const wouldRun = result.stdout.split('\n').filter((line) => line.includes('would run: '));
    expect(wouldRun).toEqual([
      `deploy: would run: sam deploy --config-env production --parameter-overrides 'Environment=production DeploymentType=Canary10Percent5Minutes TargetAccounts=organization:${OU_A} TargetRegions=eu-west-1,us-east-1 ScaledEnvironment=staging AdoptLegacyBackups=true'`,
      expect.stringMatching(
        /^deploy: would run: aws cloudformation create-stack-set --stack-set-name nightshift-production-spoke .* --permission-model SERVICE_MANAGED --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false --capabilities CAPABILITY_NAMED_IAM .*ParameterKey=RoleRegion,ParameterValue=eu-west-1 /,
      ),
      expect.stringMatching(
        new RegExp(
          `^deploy: would run: aws cloudformation create-stack-instances --stack-set-name nightshift-production-spoke --deployment-targets OrganizationalUnitIds=${OU_A} --regions eu-west-1 us-east-1 `,
        ),
      ),
    ]);
    expect(result.stdout).toContain('deploy: dry run: nothing changed');
  });

  it.each([
    [['staging', '--organization'], '--organization needs --ous'],
    [['staging', '--organization', '--ous', 'ou-x'], '--ous: "ou-x" is not an OU id'],
    [
      ['staging', '--organization', '--ous', OU_A, '--regions', 'eu_west_1'],
      '--regions: "eu_west_1"',
    ],
    [['staging', '--ous', OU_A], '--ous works with --organization only'],
    [['staging', '--organization', '--ous', OU_A], 'no Region to deploy the hub to'],
  ])('refuses %j before anything runs', (args, message) => {
    // Act
    const result = deploy(args);

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`deploy: ${message}`);
    expect(result.stdout).not.toContain('deploy: checks');
    expect(result.calls.filter((call) => !call.startsWith('aws configure get region'))).toEqual([]);
  });
});

describe('withOverride', () => {
  it('adds an override to the list, replacing one of the same key, or starts the list', () => {
    // Act & Assess
    expect(withOverride(['sam', 'deploy', '--parameter-overrides', 'A=1 B=2'], 'B', '3')).toEqual([
      'sam',
      'deploy',
      '--parameter-overrides',
      'A=1 B=3',
    ]);
    expect(
      withOverride(
        ['sam', 'deploy', '--parameter-overrides', 'A=1', '--profile', 'ops'],
        'C',
        'o-1',
      ),
    ).toEqual(['sam', 'deploy', '--parameter-overrides', 'A=1 C=o-1', '--profile', 'ops']);
    expect(withOverride(['sam', 'deploy'], 'C', 'x')).toEqual([
      'sam',
      'deploy',
      '--parameter-overrides',
      'C=x',
    ]);
  });
});
