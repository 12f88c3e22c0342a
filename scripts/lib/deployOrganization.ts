// Deploying Nightshift across an AWS Organization: the hub stack with `sam deploy`, told to
// act on the accounts under the given OUs in the given Regions, then the spoke template
// (spoke.yaml) as a service-managed StackSet with automatic deployment to those OUs and
// Regions, filled from the hub's own values. The commands are built here as argument lists
// and run through an injected runner, so tests see exactly what would run; `--dry-run`
// prints the commands that change something instead of running them (the look-ups still run).
//   scripts/deploy.sh <stage> --organization --ous ou-…,ou-… [--regions a,b]
//     [--forward-pipeline-events] [--dry-run] [sam deploy options]

/** Input that is refused before anything runs; the message names the option. */
export class DeployUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployUsageError';
  }
}

/** A command that failed, or answered something unexpected, while deploying. */
export class DeployError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployError';
  }
}

/** The options of an organization deploy. */
export interface OrganizationOptions {
  /** The OUs (or roots) the spoke goes to and the hub acts on. */
  ous: string[];
  /** The Regions; undefined means the hub's own Region. */
  regions: string[] | undefined;
  forwardPipelineEvents: boolean;
  dryRun: boolean;
}

export interface DeployArgs {
  /** Undefined without `--organization`: the single-account deploy. */
  organization: OrganizationOptions | undefined;
  /** Everything else, for `sam deploy`. */
  samArgs: string[];
}

/** The options this module owns; deploy.sh hands the arguments over when one of them is given. */
export const ORGANIZATION_OPTIONS = [
  '--organization',
  '--ous',
  '--regions',
  '--forward-pipeline-events',
  '--dry-run',
] as const;

/** An OU id (ou-<root part>-<ou part>) or a root id (r-…), as Organizations writes them. */
export const OU_PATTERN = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
/** A Region name as the spoke's RoleRegion parameter accepts it (eu-west-1, us-gov-east-1). */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-[0-9]$/;

const listValue = (
  option: string,
  value: string | undefined,
  pattern: RegExp,
  [what, one]: [string, string],
) => {
  if (value === undefined || value === '' || value.startsWith('--')) {
    throw new DeployUsageError(`${option} needs a value: ${what} separated by commas`);
  }
  const items = value.split(',').map((item) => item.trim());
  const bad = items.filter((item) => !pattern.test(item));
  if (bad.length > 0) {
    const shown = bad.map((item) => (item === '' ? '(empty)' : `"${item}"`)).join(', ');
    throw new DeployUsageError(`${option}: ${shown} is not ${one}`);
  }
  return [...new Set(items)];
};

/**
 * Splits deploy.sh's arguments (after the stage) into the organization options and the
 * `sam deploy` options. Refuses a bad OU or Region, `--organization` without `--ous`, and
 * the organization options without `--organization`.
 */
export function parseDeployArgs(args: readonly string[]): DeployArgs {
  let organization = false;
  let ous: string[] | undefined;
  let regions: string[] | undefined;
  let forwardPipelineEvents = false;
  let dryRun = false;
  const given: string[] = [];
  const samArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = name === arg ? undefined : arg.slice(eq + 1);
    const value = () => (inline !== undefined ? inline : args[++i]);
    switch (name) {
      case '--organization':
      case '--forward-pipeline-events':
      case '--dry-run':
        if (inline !== undefined) throw new DeployUsageError(`${name} takes no value`);
        if (name === '--organization') organization = true;
        else if (name === '--dry-run') dryRun = true;
        else forwardPipelineEvents = true;
        given.push(name);
        break;
      case '--ous':
        ous = listValue(name, value(), OU_PATTERN, [
          'OU ids (ou-…) or root ids (r-…)',
          'an OU id (ou-…) or a root id (r-…)',
        ]);
        given.push(name);
        break;
      case '--regions':
        regions = listValue(name, value(), REGION_PATTERN, [
          'Region names (eu-west-1)',
          'a Region name (eu-west-1)',
        ]);
        given.push(name);
        break;
      default:
        samArgs.push(arg);
    }
  }
  if (!organization) {
    const first = given[0];
    if (first !== undefined) throw new DeployUsageError(`${first} works with --organization only`);
    return { organization: undefined, samArgs };
  }
  if (ous === undefined) {
    throw new DeployUsageError(
      '--organization needs --ous ou-…,ou-…: the OUs the spoke stack set goes to and the hub acts on',
    );
  }
  return { organization: { ous, regions, forwardPipelineEvents, dryRun }, samArgs };
}

/** A stage's stack name and parameter overrides in samconfig.toml. */
export interface StageConfig {
  stackName: string;
  parameterOverrides: string;
}

const tomlString = (text: string, section: string, key: string): string | undefined => {
  let current = '';
  for (const line of text.split('\n')) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      current = (header[1] as string).trim();
      continue;
    }
    const entry = /^\s*([A-Za-z0-9_]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(line);
    if (current === section && entry?.[1] === key) {
      return (entry[2] as string).replace(/\\(["\\])/g, '$1');
    }
  }
  return undefined;
};

/** Reads the stage's `stack_name` and `parameter_overrides` as deploy.sh does. */
export function readStageConfig(samconfig: string, stage: string): StageConfig {
  const stackName = tomlString(samconfig, `${stage}.global.parameters`, 'stack_name');
  if (!stackName) {
    throw new DeployUsageError(`samconfig.toml names no stack_name for the stage ${stage}`);
  }
  const parameterOverrides =
    tomlString(samconfig, `${stage}.deploy.parameters`, 'parameter_overrides') ?? '';
  return { stackName, parameterOverrides };
}

/** One `Key=Value` (or `ParameterKey=K,ParameterValue=V`) of a parameter overrides string. */
export interface Override {
  key: string;
  value: string;
  /** The token as written, passed on unchanged. */
  text: string;
}

/** Splits a `sam deploy` parameter overrides string into its items (quotes kept together). */
export function parseOverrides(text: string, source: string): Override[] {
  const tokens = text.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
  return tokens.map((token) => {
    const match =
      /^ParameterKey=([A-Za-z0-9]+),ParameterValue=(.*)$/.exec(token) ??
      /^([A-Za-z0-9]+)=(.*)$/.exec(token);
    if (!match) {
      throw new DeployUsageError(`${source}: "${token}" is not Key=Value`);
    }
    const raw = match[2] as string;
    const value = /^(["']).*\1$/.test(raw) ? raw.slice(1, -1) : raw;
    return { key: match[1] as string, value, text: token };
  });
}

/** The value of `--name value` or `--name=value` in a command line. */
export function optionValue(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === name) return args[i + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

const withoutOption = (args: readonly string[], name: string): string[] => {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === name) i++;
    else if (!arg.startsWith(`${name}=`)) kept.push(arg);
  }
  return kept;
};

/** The hub's settings that the spoke must repeat, with the template's defaults. */
export interface HubSettings {
  environment: string;
  scaledEnvironment: string;
  adoptLegacyBackups: string;
}

/** What the hub stack is deployed with: the `sam deploy` command line and its settings. */
export interface HubDeploy {
  command: string[];
  settings: HubSettings;
}

/**
 * The hub's `sam deploy`: the stage's config environment and the extra options as today,
 * with one parameter overrides list: the stage's (samconfig.toml), those given with
 * `--parameter-overrides` (which win), then TargetAccounts=organization:<OUs> and
 * TargetRegions=<Regions>, and ScaledEnvironment and AdoptLegacyBackups written out so that
 * the hub gets exactly the values the spoke is given.
 */
export function hubDeploy(input: {
  stage: string;
  stageConfig: StageConfig;
  samArgs: readonly string[];
  ous: readonly string[];
  regions: readonly string[];
}): HubDeploy {
  const fromConfig = parseOverrides(input.stageConfig.parameterOverrides, 'samconfig.toml');
  const given = optionValue(input.samArgs, '--parameter-overrides');
  const fromArgs = given === undefined ? [] : parseOverrides(given, '--parameter-overrides');
  for (const item of fromArgs) {
    if (item.key === 'TargetAccounts' || item.key === 'TargetRegions') {
      throw new DeployUsageError(
        `--parameter-overrides: ${item.key} is set by --organization (--ous, --regions); leave it out`,
      );
    }
  }
  const byKey = new Map<string, Override>();
  for (const item of [...fromConfig, ...fromArgs]) {
    byKey.delete(item.key);
    byKey.set(item.key, item);
  }
  const value = (key: string, fallback: string) => byKey.get(key)?.value ?? fallback;
  const settings: HubSettings = {
    environment: value('Environment', input.stage),
    scaledEnvironment: value('ScaledEnvironment', 'staging'),
    adoptLegacyBackups: value('AdoptLegacyBackups', 'true'),
  };
  const ours: Record<string, string> = {
    TargetAccounts: `organization:${input.ous.join(',')}`,
    TargetRegions: input.regions.join(','),
    ScaledEnvironment: settings.scaledEnvironment,
    AdoptLegacyBackups: settings.adoptLegacyBackups,
  };
  for (const [key, v] of Object.entries(ours)) {
    byKey.delete(key);
    byKey.set(key, { key, value: v, text: `${key}=${v}` });
  }
  const overrides = [...byKey.values()].map((item) => item.text).join(' ');
  return {
    command: [
      'sam',
      'deploy',
      '--config-env',
      input.stage,
      ...withoutOption(input.samArgs, '--parameter-overrides'),
      '--parameter-overrides',
      overrides,
    ],
    settings,
  };
}

/**
 * A `sam deploy` command with one more parameter override (replacing one of the same key).
 *
 * @example
 * withOverride(['sam', 'deploy', '--parameter-overrides', 'A=1'], 'B', '2'); // [..., 'A=1 B=2']
 */
export function withOverride(command: readonly string[], key: string, value: string): string[] {
  const at = command.indexOf('--parameter-overrides');
  const item = `${key}=${value}`;
  if (at < 0) return [...command, '--parameter-overrides', item];
  const current = parseOverrides(command[at + 1] ?? '', '--parameter-overrides').filter(
    (override) => override.key !== key,
  );
  return [
    ...command.slice(0, at + 1),
    [...current.map((override) => override.text), item].join(' '),
    ...command.slice(at + 2),
  ];
}

/** Who and where the hub is, from STS, Organizations and the Region deployed to. */
export interface HubIdentity {
  accountId: string;
  partition: string;
  region: string;
  organizationId: string;
  managementAccountId: string;
}

/** The spoke's parameters, in the template's order, filled from the hub. */
export function spokeParameters(input: {
  hub: HubIdentity;
  settings: HubSettings;
  stackName: string;
  regions: readonly string[];
  forwardPipelineEvents: boolean;
}): [string, string][] {
  const { hub } = input;
  // IAM is global: only one Region's stack creates the role, the hub's when it is one of them.
  const roleRegion = input.regions.includes(hub.region) ? hub.region : (input.regions[0] as string);
  return [
    ['HubAccountId', hub.accountId],
    ['HubEnvironment', input.settings.environment],
    ['OrganizationId', hub.organizationId],
    ['HubStackName', input.stackName],
    ['RoleRegion', roleRegion],
    ['ForwardPipelineEvents', String(input.forwardPipelineEvents)],
    [
      'HubEventBusArn',
      input.forwardPipelineEvents
        ? `arn:${hub.partition}:events:${hub.region}:${hub.accountId}:event-bus/default`
        : '',
    ],
    ['AdoptLegacyBackups', input.settings.adoptLegacyBackups],
    ['ScaledEnvironment', input.settings.scaledEnvironment],
  ];
}

/** The stack set of a hub stack: `<stack name>-spoke`. */
export const stackSetName = (stackName: string) => `${stackName}-spoke`;

/** How every stack set operation rolls out: all Regions and accounts at once, a tenth may fail. */
export const OPERATION_PREFERENCES =
  'RegionConcurrencyType=PARALLEL,MaxConcurrentPercentage=100,FailureTolerancePercentage=10,ConcurrencyMode=SOFT_FAILURE_TOLERANCE';
export const AUTO_DEPLOYMENT = 'Enabled=true,RetainStacksOnAccountRemoval=false';

/** Options every `aws` command takes: the hub's Region and profile, the caller's role. */
export interface AwsContext {
  region: string;
  profile: string | undefined;
  /** From a delegated administrator account, stack set calls say so. */
  delegatedAdmin: boolean;
}

const awsCommand = (context: AwsContext, ...args: string[]) => [
  'aws',
  ...args,
  '--region',
  context.region,
  ...(context.profile === undefined ? [] : ['--profile', context.profile]),
  '--output',
  'json',
];

const stackSetCommand = (context: AwsContext, ...args: string[]) =>
  awsCommand(
    context,
    'cloudformation',
    ...args,
    ...(context.delegatedAdmin ? ['--call-as', 'DELEGATED_ADMIN'] : []),
  );

const parametersArg = (parameters: readonly [string, string][]) =>
  parameters.map(([key, value]) => `ParameterKey=${key},ParameterValue=${value}`);

export const commands = {
  callerIdentity: (context: AwsContext) => awsCommand(context, 'sts', 'get-caller-identity'),
  describeOrganization: (context: AwsContext) =>
    awsCommand(context, 'organizations', 'describe-organization'),
  describeStackSet: (context: AwsContext, name: string) =>
    stackSetCommand(context, 'describe-stack-set', '--stack-set-name', name),
  listStackInstances: (context: AwsContext, name: string) =>
    stackSetCommand(context, 'list-stack-instances', '--stack-set-name', name),
  createStackSet: (
    context: AwsContext,
    name: string,
    templateFile: string,
    parameters: readonly [string, string][],
  ) =>
    stackSetCommand(
      context,
      'create-stack-set',
      '--stack-set-name',
      name,
      '--description',
      'Nightshift spoke: the role the hub assumes in each account of the organization',
      '--template-body',
      `file://${templateFile}`,
      '--permission-model',
      'SERVICE_MANAGED',
      '--auto-deployment',
      AUTO_DEPLOYMENT,
      '--capabilities',
      'CAPABILITY_NAMED_IAM',
      '--parameters',
      ...parametersArg(parameters),
    ),
  updateStackSet: (
    context: AwsContext,
    name: string,
    templateFile: string,
    parameters: readonly [string, string][],
  ) =>
    stackSetCommand(
      context,
      'update-stack-set',
      '--stack-set-name',
      name,
      '--template-body',
      `file://${templateFile}`,
      '--auto-deployment',
      AUTO_DEPLOYMENT,
      '--capabilities',
      'CAPABILITY_NAMED_IAM',
      '--parameters',
      ...parametersArg(parameters),
      '--operation-preferences',
      OPERATION_PREFERENCES,
    ),
  createStackInstances: (
    context: AwsContext,
    name: string,
    ous: readonly string[],
    regions: readonly string[],
  ) =>
    stackSetCommand(
      context,
      'create-stack-instances',
      '--stack-set-name',
      name,
      '--deployment-targets',
      `OrganizationalUnitIds=${ous.join(',')}`,
      '--regions',
      ...regions,
      '--operation-preferences',
      OPERATION_PREFERENCES,
    ),
  operationResults: (context: AwsContext, name: string, operationId: string) =>
    stackSetCommand(
      context,
      'list-stack-set-operation-results',
      '--stack-set-name',
      name,
      '--operation-id',
      operationId,
    ),
  describeOperation: (context: AwsContext, name: string, operationId: string) =>
    stackSetCommand(
      context,
      'describe-stack-set-operation',
      '--stack-set-name',
      name,
      '--operation-id',
      operationId,
    ),
};

/**
 * The stack instances to create: for each Region, the OUs that have none there yet, grouped
 * so that Regions missing the same OUs make one call. Existing ones are updated by
 * `update-stack-set`; accounts that join an OU later get theirs by automatic deployment.
 */
export function missingInstances(
  existing: readonly { OrganizationalUnitId?: string; Region?: string }[],
  ous: readonly string[],
  regions: readonly string[],
): { ous: string[]; regions: string[] }[] {
  const have = new Set(existing.map((item) => `${item.OrganizationalUnitId}|${item.Region}`));
  const groups = new Map<string, { ous: string[]; regions: string[] }>();
  for (const region of regions) {
    const missing = ous.filter((ou) => !have.has(`${ou}|${region}`));
    if (missing.length === 0) continue;
    const key = missing.join(',');
    const group = groups.get(key) ?? { ous: missing, regions: [] };
    group.regions.push(region);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** The result of one command. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface DeployDeps {
  /** Runs a command; `interactive` ones (sam deploy) share the terminal and capture nothing. */
  run(command: readonly string[], options: { interactive: boolean }): Promise<CommandResult>;
  log(line: string): void;
  sleep(ms: number): Promise<void>;
}

export interface OrganizationDeployInput {
  stage: string;
  options: OrganizationOptions;
  samArgs: string[];
  stageConfig: StageConfig;
  /** The spoke template's path, as `aws` reads it. */
  templateFile: string;
  /** The Region when neither `--region` nor the environment names one (`aws configure get region`). */
  configuredRegion: string | undefined;
  env: Record<string, string | undefined>;
  pollMs?: number;
}

/** Quotes a command for display, so that it can be pasted into a shell. */
export function shellQuote(command: readonly string[]): string {
  return command
    .map((arg) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

const json = (result: CommandResult, command: readonly string[]): Record<string, unknown> => {
  try {
    return JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new DeployError(`${shellQuote(command.slice(0, 3))} answered no JSON: ${result.stdout}`);
  }
};

interface OperationResult {
  Account?: string;
  Region?: string;
  Status?: string;
  StatusReason?: string;
}

const FINAL_STATUSES = new Set(['SUCCEEDED', 'FAILED', 'STOPPED']);

/** The hub's Region: `--region`, then AWS_REGION, AWS_DEFAULT_REGION, then the profile's. */
export function hubRegion(
  samArgs: readonly string[],
  env: Record<string, string | undefined>,
  configured: string | undefined,
): string {
  const region =
    optionValue(samArgs, '--region') ||
    env.AWS_REGION ||
    env.AWS_DEFAULT_REGION ||
    configured?.trim() ||
    undefined;
  if (region === undefined) {
    throw new DeployUsageError(
      'no Region to deploy the hub to: pass --region <name>, or set AWS_REGION or a profile Region',
    );
  }
  if (!REGION_PATTERN.test(region)) {
    throw new DeployUsageError(`--region: "${region}" is not a Region name (eu-west-1)`);
  }
  return region;
}

/** Everything that can be decided before any command runs (refuses bad input). */
export function planOrganizationDeploy(input: OrganizationDeployInput) {
  const region = hubRegion(input.samArgs, input.env, input.configuredRegion);
  const regions = input.options.regions ?? [region];
  const hub = hubDeploy({
    stage: input.stage,
    stageConfig: input.stageConfig,
    samArgs: input.samArgs,
    ous: input.options.ous,
    regions,
  });
  return { region, regions, hub, profile: optionValue(input.samArgs, '--profile') };
}

/**
 * Deploys the hub, then creates or updates the spoke stack set and its instances, waiting for
 * each stack set operation. With `dryRun`, the look-ups run and the rest is printed.
 */
export async function deployOrganization(
  input: OrganizationDeployInput,
  deps: DeployDeps,
): Promise<{ stackSetName: string; parameters: [string, string][] }> {
  const { options } = input;
  const plan = planOrganizationDeploy(input);
  const context: AwsContext = { region: plan.region, profile: plan.profile, delegatedAdmin: false };
  const name = stackSetName(input.stageConfig.stackName);

  const lookUp = async (command: string[]) => {
    deps.log(`deploy: ${shellQuote(command)}`);
    const result = await deps.run(command, { interactive: false });
    if (result.code !== 0) {
      throw new DeployError(`${shellQuote(command.slice(0, 3))} failed: ${result.stderr.trim()}`);
    }
    return json(result, command);
  };
  const change = async (command: string[], interactive = false) => {
    if (options.dryRun) {
      deps.log(`deploy: would run: ${shellQuote(command)}`);
      return undefined;
    }
    deps.log(`deploy: ${shellQuote(command)}`);
    const result = await deps.run(command, { interactive });
    if (result.code !== 0) {
      throw new DeployError(
        `${shellQuote(command.slice(0, 3))} failed (exit ${result.code})${result.stderr ? `: ${result.stderr.trim()}` : ''}`,
      );
    }
    return result;
  };
  const waitFor = async (result: CommandResult | undefined, command: string[]) => {
    if (result === undefined) return;
    const operationId = json(result, command).OperationId;
    if (typeof operationId !== 'string') {
      throw new DeployError(`${shellQuote(command.slice(0, 3))} returned no OperationId`);
    }
    for (;;) {
      const described = await lookUp(commands.describeOperation(context, name, operationId));
      const status = (described.StackSetOperation as { Status?: string } | undefined)?.Status;
      if (status !== undefined && FINAL_STATUSES.has(status)) {
        if (status !== 'SUCCEEDED') {
          throw new DeployError(
            `stack set ${name}: operation ${operationId} ${status}; see aws cloudformation list-stack-set-operation-results --stack-set-name ${name} --operation-id ${operationId}`,
          );
        }
        // A few accounts may fail within the tolerance: name them, so that nobody thinks
        // their spoke is there.
        const results = (await lookUp(commands.operationResults(context, name, operationId)))
          .Summaries as OperationResult[] | undefined;
        const failed = (results ?? []).filter((result) => result.Status !== 'SUCCEEDED');
        for (const result of failed) {
          deps.log(
            `deploy: warning: stack set ${name}: no spoke in ${result.Account} ${result.Region} (${result.Status}: ${result.StatusReason ?? 'no reason given'})`,
          );
        }
        deps.log(
          `deploy: stack set ${name}: operation ${operationId} succeeded${failed.length > 0 ? `, ${failed.length} account Region(s) failed within the tolerance` : ''}`,
        );
        return;
      }
      await deps.sleep(input.pollMs ?? 15_000);
    }
  };

  const identity = await lookUp(commands.callerIdentity(context));
  const organization = (await lookUp(commands.describeOrganization(context))).Organization as
    | { Id?: string; MasterAccountId?: string }
    | undefined;
  const accountId = String(identity.Account ?? '');
  const partition = String(identity.Arn ?? '').split(':')[1] ?? '';
  if (!/^[0-9]{12}$/.test(accountId) || partition === '') {
    throw new DeployError(
      `sts get-caller-identity answered no account: ${JSON.stringify(identity)}`,
    );
  }
  if (organization?.Id === undefined || organization.MasterAccountId === undefined) {
    throw new DeployError('organizations describe-organization answered no organization');
  }
  const hub: HubIdentity = {
    accountId,
    partition,
    region: plan.region,
    organizationId: organization.Id,
    managementAccountId: organization.MasterAccountId,
  };
  context.delegatedAdmin = hub.accountId !== hub.managementAccountId;
  const parameters = spokeParameters({
    hub,
    settings: plan.hub.settings,
    stackName: input.stageConfig.stackName,
    regions: plan.regions,
    forwardPipelineEvents: options.forwardPipelineEvents,
  });

  // Forwarded pipeline events need the hub's bus to let the organization in.
  await change(
    options.forwardPipelineEvents
      ? withOverride(plan.hub.command, 'PipelineEventsOrganizationId', hub.organizationId)
      : plan.hub.command,
    true,
  );

  const describe = commands.describeStackSet(context, name);
  deps.log(`deploy: ${shellQuote(describe)}`);
  const described = await deps.run(describe, { interactive: false });
  let existing: { OrganizationalUnitId?: string; Region?: string }[] = [];
  if (described.code === 0) {
    const update = commands.updateStackSet(context, name, input.templateFile, parameters);
    await waitFor(await change(update), update);
    existing = ((await lookUp(commands.listStackInstances(context, name))).Summaries ??
      []) as typeof existing;
  } else if (/StackSetNotFound/.test(described.stderr)) {
    await change(commands.createStackSet(context, name, input.templateFile, parameters));
  } else {
    throw new DeployError(`describe-stack-set ${name} failed: ${described.stderr.trim()}`);
  }
  for (const group of missingInstances(existing, options.ous, plan.regions)) {
    const create = commands.createStackInstances(context, name, group.ous, group.regions);
    await waitFor(await change(create), create);
  }
  return { stackSetName: name, parameters };
}
