// Writes spoke.yaml, the plain CloudFormation template (no Transform, so service-managed
// StackSets can roll it out) that each account of an organization gets: one role the hub's
// functions assume there, carrying their permissions on that account's resources. The
// statements are not written by hand: they are the hub functions' own statements, taken
// from the hub's template as scripts/template.ts makes it, so the two cannot drift.
//
// Which statements go to the spoke is decided by one mechanical rule (classifyStatement):
// a statement stays in the hub only when
//   1. it names something of the hub stack: a !Ref, !GetAtt or ${...} of anything that is
//      neither a pseudo parameter (AWS::...) nor one of the template's parameters (the
//      reports topic, the actions table, the link key secret...), or
//   2. one of its actions is of a service whose resources, for Nightshift, are the hub's
//      own (HUB_SERVICES: its topics, queues, tables, parameters, secrets, log groups and
//      functions; STS and Organizations, with which the hub reaches the spokes), or
//   3. it uses KMS through one of those services (its kms:ViaService names one).
// Every other statement acts on the resources of the account it runs in and is copied with
// its actions, resources and conditions unchanged (an ARN built from ${AWS::Partition},
// ${AWS::Region} and ${AWS::AccountId} resolves in the spoke account). A policy item the
// rule cannot read (a managed policy name, a SAM policy template, a statement without Sid)
// stops the generation: nothing is dropped silently.
//
// One role serves every function, and a role's policies add up: snapshot-cleanup's refusal
// to delete backup-manager's backups would also refuse them to backup-manager, and
// snapshot-cleanup's deletes would be open to infra-scaler. So each copied statement gets one
// more condition, that the caller is the function's own session of this role
// (aws:userid = <role id>:nightshift-<function>, the session name the hub uses): each
// function has in the spoke exactly the permissions it has in the hub.
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  parseDocument,
  type Scalar,
  YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { listFunctions, toResourceName } from '../lib/functions.ts';

/**
 * The functions that run across the organization, whose statements the spoke carries: those
 * whose manifest says `"fanout": true`.
 *
 * @example
 * spokeFunctions(root); // ['backup-manager', 'infra-scaler', 'snapshot-cleanup']
 */
export const spokeFunctions = (root: string): string[] =>
  listFunctions(root)
    .filter((fn) => fn.fanout)
    .map((fn) => fn.name);

/** Services whose resources, for Nightshift, are the hub's own (rule 2 and 3 above). */
export const HUB_SERVICES = [
  'sns',
  'sqs',
  'dynamodb',
  'ssm',
  'secretsmanager',
  'logs',
  'lambda',
  // The hub reaching the spokes (their role) and reading its own organization.
  'sts',
  'organizations',
] as const;

/** The spoke role's logical id; its name is nightshift-<HubEnvironment>-spoke. */
export const SPOKE_ROLE = 'SpokeRole';

/** The most a managed policy may hold, in characters without white space. */
export const MANAGED_POLICY_LIMIT = 6144;

/** The session name the hub's function uses when it assumes the spoke role. */
export const spokeSessionName = (functionName: string): string => `nightshift-${functionName}`;

/** The spoke's own parameters; a hub parameter the statements read may not take one. */
export const SPOKE_PARAMETERS = [
  'HubAccountId',
  'HubEnvironment',
  'OrganizationId',
  'HubStackName',
  'RoleRegion',
  'ForwardPipelineEvents',
  'HubEventBusArn',
] as const;

/** A hub source the spoke cannot be made from: says what and where. */
export class SpokeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpokeError';
  }
}

/** A statement that stays in the hub, and which part of the rule keeps it there. */
export interface HubOnly {
  sid: string;
  reason: string;
}

/** One function's statements: those copied to the spoke (as the hub has them) and the rest. */
export interface Classification {
  functionName: string;
  /** The statements as the hub has them (a `!If [condition, statement, NoValue]` kept whole). */
  spoke: Node[];
  hubOnly: HubOnly[];
}

const keyOf = (pair: Pair): string => String(isScalar(pair.key) ? pair.key.value : pair.key);
const pairOf = (map: YAMLMap, key: string): Pair | undefined =>
  map.items.find((pair) => keyOf(pair) === key) as Pair | undefined;
const isPseudo = (name: string): boolean => name.startsWith('AWS::');

/** What a piece of template refers to: parameters or resources, and conditions. */
interface References {
  names: Set<string>;
  conditions: Set<string>;
}

/** The names `${Name}` and `${Name.Attribute}` of a Fn::Sub string, not `${!Literal}`. */
const subNames = (text: string): string[] =>
  [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((match) => (match[1] ?? '').split('.')[0] ?? '');

/** Everything `node` refers to through Ref, GetAtt, Sub, If and Condition, short or long form. */
const referencesOf = (
  node: unknown,
  into: References = { names: new Set(), conditions: new Set() },
) => {
  const name = (value: string): void => {
    if (!isPseudo(value)) into.names.add(value);
  };
  const walkSub = (template: unknown, variables: unknown): void => {
    const local = isMap(variables) ? new Set(variables.items.map(keyOf)) : new Set<string>();
    const text = isScalar(template) ? String(template.value) : String(template ?? '');
    for (const found of subNames(text)) if (!local.has(found)) name(found);
    if (variables !== undefined) referencesOf(variables, into);
  };
  if (isScalar(node)) {
    const value = String(node.value);
    if (node.tag === '!Ref') name(value);
    else if (node.tag === '!GetAtt') name(value.split('.')[0] ?? value);
    else if (node.tag === '!Sub') walkSub(node, undefined);
    else if (node.tag === '!Condition') into.conditions.add(value);
    return into;
  }
  if (isSeq(node)) {
    const [first, second] = node.items;
    if (node.tag === '!Sub') walkSub(first, second);
    else if (node.tag === '!GetAtt' && isScalar(first)) name(String(first.value));
    else {
      if (node.tag === '!If' && isScalar(first)) into.conditions.add(String(first.value));
      const rest = node.tag === '!If' ? node.items.slice(1) : node.items;
      for (const item of rest) referencesOf(item, into);
    }
    return into;
  }
  if (isMap(node)) {
    for (const pair of node.items as Pair[]) {
      const key = keyOf(pair);
      const value = pair.value;
      if (key === 'Ref' && isScalar(value)) name(String(value.value));
      else if (key === 'Condition' && isScalar(value) && node.items.length === 1) {
        into.conditions.add(String(value.value));
      } else if (key === 'Fn::GetAtt') {
        const target = isSeq(value) ? value.items[0] : value;
        if (isScalar(target)) name(String(target.value).split('.')[0] ?? '');
      } else if (key === 'Fn::Sub') {
        if (isSeq(value)) walkSub(value.items[0], value.items[1]);
        else walkSub(value, undefined);
      } else if (key === 'Fn::If' && isSeq(value)) {
        const [condition, ...rest] = value.items;
        if (isScalar(condition)) into.conditions.add(String(condition.value));
        for (const item of rest) referencesOf(item, into);
      } else referencesOf(value, into);
    }
  }
  return into;
};

/** The plain strings of a scalar or a list of scalars (the Action of a statement). */
const strings = (node: unknown): string[] => {
  if (isScalar(node)) return [String(node.value)];
  if (isSeq(node)) return node.items.flatMap(strings);
  return [];
};

/** The service of each kms:ViaService the statement's conditions name (`sns` of sns.<region>...). */
const viaServices = (statement: YAMLMap): string[] => {
  const condition = statement.get('Condition', true);
  if (!isMap(condition)) return [];
  return (condition.items as Pair[]).flatMap((operator) =>
    isMap(operator.value)
      ? (operator.value.items as Pair[])
          .filter((pair) => keyOf(pair) === 'kms:ViaService')
          .flatMap((pair) => strings(pair.value).map((text) => text.split('.')[0] ?? text))
      : [],
  );
};

/** A statement and, when it is written as `!If [condition, statement, !Ref AWS::NoValue]`, its condition. */
const unwrap = (node: unknown, where: string): { statement: YAMLMap; condition?: string } => {
  if (isMap(node) && node.tag === undefined) return { statement: node };
  if (isSeq(node) && node.tag === '!If' && node.items.length === 3) {
    const [condition, statement, otherwise] = node.items;
    if (
      isScalar(condition) &&
      isMap(statement) &&
      isScalar(otherwise) &&
      otherwise.tag === '!Ref' &&
      otherwise.value === 'AWS::NoValue'
    ) {
      return { statement, condition: String(condition.value) };
    }
  }
  throw new SpokeError(
    `${where}: a statement must be a map or !If [condition, statement, !Ref AWS::NoValue]`,
  );
};

/**
 * Why a statement stays in the hub (the rule at the top of this file), or undefined when it
 * acts on the account's own resources and goes to the spoke.
 */
export const classifyStatement = (
  statement: YAMLMap,
  hubParameters: ReadonlySet<string>,
): string | undefined => {
  const reasons: string[] = [];
  const hubNames = [...referencesOf(statement).names].filter((name) => !hubParameters.has(name));
  if (hubNames.length > 0) reasons.push(`names the hub's ${hubNames.join(', ')}`);
  const actions = [
    ...strings(statement.get('Action', true)),
    ...strings(statement.get('NotAction', true)),
  ];
  const hubActions = actions.filter((action) =>
    (HUB_SERVICES as readonly string[]).includes(action.split(':')[0]?.toLowerCase() ?? ''),
  );
  if (hubActions.length > 0) reasons.push(`acts on the hub's ${hubActions.join(', ')}`);
  const via = viaServices(statement).filter((service) =>
    (HUB_SERVICES as readonly string[]).includes(service),
  );
  if (via.length > 0) reasons.push(`uses KMS through ${via.join(', ')}`);
  return reasons.length > 0 ? reasons.join('; ') : undefined;
};

const sectionOf = (hub: Document, section: string): YAMLMap => {
  const node = hub.get(section, true);
  return isMap(node) ? node : new YAMLMap();
};

/** One function's policy statements in the hub template, each as it is written there. */
const hubStatements = (hub: Document, functionName: string): Node[] => {
  const id = `${toResourceName(functionName)}Function`;
  const resource = sectionOf(hub, 'Resources').get(id, true);
  if (!isMap(resource)) throw new SpokeError(`the hub template has no ${id}`);
  const policies = resource.getIn(['Properties', 'Policies'], true);
  if (policies === undefined) return [];
  if (!isSeq(policies)) throw new SpokeError(`${id}: Policies must be a list`);
  return policies.items.flatMap((policy, index) => {
    const statements = isMap(policy) ? policy.get('Statement', true) : undefined;
    if (!isSeq(statements)) {
      throw new SpokeError(
        `${id}: policy ${index + 1} is not a list of statements (a managed policy or a policy template cannot be split between hub and spoke)`,
      );
    }
    return statements.items as Node[];
  });
};

/**
 * Splits a function's hub statements into those the spoke carries and those that stay in the
 * hub, naming why. Every statement is in exactly one of the two.
 *
 * @example
 * const { spoke, hubOnly } = classify(parseDocument(renderTemplate(root)), 'snapshot-cleanup');
 */
export const classify = (hub: Document, functionName: string): Classification => {
  const parameters = new Set(sectionOf(hub, 'Parameters').items.map(keyOf));
  const result: Classification = { functionName, spoke: [], hubOnly: [] };
  for (const [index, node] of hubStatements(hub, functionName).entries()) {
    const where = `${functionName}: statement ${index + 1}`;
    const { statement } = unwrap(node, where);
    const sid = statement.get('Sid');
    if (typeof sid !== 'string' || sid.length === 0) {
      throw new SpokeError(`${where} has no Sid: the spoke names every statement it leaves out`);
    }
    const reason = classifyStatement(statement, parameters);
    if (reason === undefined) result.spoke.push(node);
    else result.hubOnly.push({ sid, reason });
  }
  return result;
};

/** The Sid of a statement, written plainly or under !If. */
export const sidOf = (node: Node): string => String(unwrap(node, 'statement').statement.get('Sid'));

/**
 * The statement, copied, with the condition that the caller is `functionName`'s session of
 * the spoke role.
 */
const forSession = (node: Node, functionName: string): Node => {
  const copy = node.clone() as Node;
  const { statement } = unwrap(copy, functionName);
  /** The map under `key` of `map`, made when it has none. */
  const mapAt = (map: YAMLMap, key: string): YAMLMap => {
    const found: unknown = map.get(key, true);
    if (isMap(found)) return found;
    const made = new YAMLMap();
    map.set(key, made);
    return made;
  };
  const equals = mapAt(mapAt(statement, 'Condition'), 'StringEquals');
  if (equals.has('aws:userid')) {
    throw new SpokeError(`${functionName}: ${statement.get('Sid')} already has aws:userid`);
  }
  const value = parseDocument(
    `v: !Sub "\${${SPOKE_ROLE}.RoleId}:${spokeSessionName(functionName)}"`,
  ).get('v', true);
  equals.set('aws:userid', value);
  return copy;
};

/**
 * A length no resolved copy of the node exceeds, in JSON without white space: a pseudo
 * parameter at its longest, any other value at 64 characters.
 */
const LONGEST: Record<string, number> = {
  'AWS::Partition': 'aws-iso-b'.length,
  'AWS::Region': 16,
  'AWS::AccountId': 12,
  'AWS::URLSuffix': 'amazonaws.com.cn'.length,
};
const OTHER = 64;
const resolvedLength = (node: unknown): number => {
  if (isScalar(node)) {
    const value = String(node.value);
    if (node.tag === '!Sub') {
      const filled = value.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) =>
        'x'.repeat(LONGEST[name] ?? OTHER),
      );
      return JSON.stringify(filled).length;
    }
    if (node.tag !== undefined) return OTHER + 2;
    return JSON.stringify(node.value).length;
  }
  if (isSeq(node)) {
    if (node.tag === '!If') return Math.max(...node.items.slice(1).map(resolvedLength));
    if (node.tag !== undefined) return OTHER + 2;
    return 2 + node.items.reduce((sum: number, item) => sum + resolvedLength(item) + 1, 0);
  }
  if (isMap(node)) {
    return (
      2 +
      (node.items as Pair[]).reduce(
        (sum, pair) =>
          sum + JSON.stringify(keyOf(pair)).length + 1 + resolvedLength(pair.value) + 1,
        0,
      )
    );
  }
  return OTHER;
};

/** The statements in groups that each fit a managed policy, in their order. */
export const chunkStatements = (
  statements: readonly Node[],
  limit = MANAGED_POLICY_LIMIT,
): Node[][] => {
  const envelope = '{"Version":"2012-10-17","Statement":[]}'.length;
  const chunks: Node[][] = [];
  let size = envelope;
  for (const statement of statements) {
    const length = resolvedLength(statement) + 1;
    if (envelope + length > limit) {
      throw new SpokeError(`${sidOf(statement)} alone is longer than a managed policy may be`);
    }
    const last = chunks.at(-1);
    if (last && size + length <= limit) {
      last.push(statement);
      size += length;
    } else {
      chunks.push([statement]);
      size = envelope + length;
    }
  }
  return chunks;
};

const header = (
  functions: readonly string[],
) => ` Generated by scripts/template.ts (scripts/template/spoke.ts) from the hub's template:
 the statements of ${functions.join(', ')} that act on
 the account's own resources. Edit functions/<name>/template.yaml and run
 \`node scripts/template.ts\` (a test fails when this file is out of date).`;

const SKELETON = `AWSTemplateFormatVersion: "2010-09-09"
Description: >-
  Nightshift spoke: the role the functions of a Nightshift hub assume in this account, with
  their permissions on its resources, and optionally the forwarding of its pipeline events to
  the hub's event bus. Plain CloudFormation, for a service-managed StackSet.

Parameters:
  HubAccountId:
    Type: String
    Description: The account the hub stack runs in.
    AllowedPattern: "^[0-9]{12}$"
    ConstraintDescription: 12 digits.
  HubEnvironment:
    Type: String
    Description: The hub's Environment; the role is nightshift-<HubEnvironment>-spoke.
  OrganizationId:
    Type: String
    Description: The organization both accounts belong to (o-...); no other may assume the role.
    AllowedPattern: "^o-[a-z0-9]{10,32}$"
    ConstraintDescription: o- and 10 to 32 lower-case letters or digits.
  HubStackName:
    Type: String
    Description: >-
      The hub stack's name: only the hub account's roles whose name begins with it and a dash
      (its functions' roles) may assume the role. Keep it short: CloudFormation cuts a long
      stack name in the names it gives the roles.
    AllowedPattern: "^[A-Za-z][A-Za-z0-9-]{0,127}$"
    ConstraintDescription: a CloudFormation stack name.
  RoleRegion:
    Type: String
    Description: >-
      The one Region whose stack creates the role (IAM is global) when the stack set runs in
      several; empty creates it in every Region the stack runs in, so use it with one Region only.
    Default: ""
    AllowedPattern: "^([a-z]{2}(-[a-z]+)+-[0-9])?$"
    ConstraintDescription: a Region name such as eu-west-1, or empty.
  ForwardPipelineEvents:
    Type: String
    Description: When true, this Region's CodePipeline events go to the hub's event bus (HubEventBusArn).
    AllowedValues: ["true", "false"]
    Default: "false"
  HubEventBusArn:
    Type: String
    Description: The hub's event bus that receives the pipeline events (needed when ForwardPipelineEvents is true).
    Default: ""
    AllowedPattern: "^(arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9._/-]+)?$"
    ConstraintDescription: an event bus ARN, or empty.

Conditions:
  CreatesRole: !Or [!Equals [!Ref RoleRegion, ""], !Equals [!Ref RoleRegion, !Ref AWS::Region]]
  ForwardsPipelineEvents: !Equals [!Ref ForwardPipelineEvents, "true"]

Rules:
  ForwardingNeedsTheHubsBus:
    RuleCondition: !Equals [!Ref ForwardPipelineEvents, "true"]
    Assertions:
      - Assert: !Not [!Equals [!Ref HubEventBusArn, ""]]
        AssertDescription: Forwarding the pipeline events needs the hub's event bus (HubEventBusArn).

Resources:
  # Only the hub account's roles of the hub stack, inside the organization.
  ${SPOKE_ROLE}:
    Type: AWS::IAM::Role
    Condition: CreatesRole
    Properties:
      RoleName: !Sub nightshift-\${HubEnvironment}-spoke
      Description: !Sub Assumed by the functions of the Nightshift hub \${HubStackName} (account \${HubAccountId}).
      MaxSessionDuration: 3600
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: TheHubsFunctionRoles
            Effect: Allow
            Principal:
              AWS: !Sub arn:\${AWS::Partition}:iam::\${HubAccountId}:root
            Action: sts:AssumeRole
            Condition:
              ArnLike:
                aws:PrincipalArn: !Sub arn:\${AWS::Partition}:iam::\${HubAccountId}:role/\${HubStackName}-*
              StringEquals:
                aws:PrincipalOrgID: !Ref OrganizationId

  # What CloudWatch Logs assumes to check that this account may send a log group's events to
  # the hub's destination when the destination lets the whole organization in (log-processor's
  # LogsOrganizationId): a subscription filter to it names this role (--role-arn).
  LogsSenderRole:
    Type: AWS::IAM::Role
    Condition: CreatesRole
    Properties:
      RoleName: !Sub nightshift-\${HubEnvironment}-logs-sender
      Description: Lets CloudWatch Logs send this account's subscribed log groups to the Nightshift hub's destination.
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: CloudWatchLogsOfThisAccount
            Effect: Allow
            Principal:
              Service: logs.amazonaws.com
            Action: sts:AssumeRole
            Condition:
              StringLike:
                aws:SourceArn: !Sub arn:\${AWS::Partition}:logs:*:\${AWS::AccountId}:*
      Policies:
        - PolicyName: send-subscribed-log-events
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Sid: ThisAccountsLogGroups
                Effect: Allow
                Action: logs:PutLogEvents
                Resource: !Sub arn:\${AWS::Partition}:logs:*:\${AWS::AccountId}:log-group:*:*

Outputs:
  SpokeRoleArn:
    Condition: CreatesRole
    Description: The role the hub's functions assume in this account.
    Value: !GetAtt ${SPOKE_ROLE}.Arn
  LogsSenderRoleArn:
    Condition: CreatesRole
    Description: The --role-arn of a subscription filter to the hub's log destination.
    Value: !GetAtt LogsSenderRole.Arn
`;

/** The rule and role that forward the account's pipeline events to the hub's bus. */
const FORWARDING = `Resources:
  # CodePipeline's events of this account and Region, sent on to the hub's event bus (the bus
  # must let the organization put events).
  PipelineEventsRule:
    Type: AWS::Events::Rule
    Condition: ForwardsPipelineEvents
    Metadata:
      cfn-lint:
        config:
          # The ARN is checked against the empty default; the rule ForwardingNeedsTheHubsBus
          # refuses the empty one when the events are forwarded.
          ignore_checks: [W1030]
    Properties:
      Description: Sends CodePipeline's events to the Nightshift hub's event bus.
      EventPattern:
        source: [aws.codepipeline]
      State: ENABLED
      Targets:
        - Id: nightshift-hub
          Arn: !Ref HubEventBusArn
          RoleArn: !GetAtt PipelineEventsForwarderRole.Arn

  PipelineEventsForwarderRole:
    Type: AWS::IAM::Role
    Condition: ForwardsPipelineEvents
    Metadata:
      cfn-lint:
        config:
          # As for the rule: the empty default is refused when the events are forwarded. (The
          # ARN is written as a Sub so that cfn-lint reports it here, not at the parameter.)
          ignore_checks: [W1031]
    Properties:
      Description: Lets EventBridge put this account's pipeline events on the hub's event bus.
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: EventBridgeOfThisAccount
            Effect: Allow
            Principal:
              Service: events.amazonaws.com
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                aws:SourceAccount: !Ref AWS::AccountId
      Policies:
        - PolicyName: put-events-on-the-hub-bus
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Sid: OnlyTheHubsBus
                Effect: Allow
                Action: events:PutEvents
                Resource: !Sub "\${HubEventBusArn}"
`;

/** A hub parameter or condition the copied statements read, with what it reads in turn. */
const carry = (
  hub: Document,
  references: References,
): { parameters: Pair[]; conditions: Pair[] } => {
  const hubParameters = sectionOf(hub, 'Parameters');
  const hubConditions = sectionOf(hub, 'Conditions');
  const parameters = new Map<string, Pair>();
  const conditions = new Map<string, Pair>();
  const pending = { names: [...references.names], conditions: [...references.conditions] };
  while (pending.names.length > 0 || pending.conditions.length > 0) {
    const condition = pending.conditions.pop();
    if (condition !== undefined) {
      if (conditions.has(condition)) continue;
      const pair = pairOf(hubConditions, condition);
      if (!pair) throw new SpokeError(`the hub template has no condition ${condition}`);
      conditions.set(condition, pair);
      const inner = referencesOf(pair.value);
      pending.names.push(...inner.names);
      pending.conditions.push(...inner.conditions);
      continue;
    }
    const name = pending.names.pop() as string;
    if (parameters.has(name)) continue;
    const pair = pairOf(hubParameters, name);
    if (!pair) throw new SpokeError(`${name} is not a parameter of the hub template`);
    if ((SPOKE_PARAMETERS as readonly string[]).includes(name)) {
      throw new SpokeError(`the hub's parameter ${name} has the name of a spoke parameter`);
    }
    parameters.set(name, pair);
  }
  const byHubOrder = (section: YAMLMap, chosen: Map<string, Pair>): Pair[] =>
    (section.items as Pair[]).filter((pair) => chosen.has(keyOf(pair)));
  return {
    parameters: byHubOrder(hubParameters, parameters),
    conditions: byHubOrder(hubConditions, conditions),
  };
};

/** The logical id of a function's n-th managed policy in the spoke. */
export const spokePolicyId = (functionName: string, index: number): string =>
  `${toResourceName(functionName)}Policy${index + 1}`;

/**
 * The text of spoke.yaml, made from the text of the hub's template.yaml: the statements of
 * the functions named (those that fan out) on an account's own resources.
 *
 * @example
 * writeFileSync('spoke.yaml', renderSpoke(renderTemplate(root), spokeFunctions(root)));
 */
export const renderSpoke = (hubTemplate: string, functions: readonly string[]): string => {
  const hub = parseDocument(hubTemplate, { logLevel: 'error' });
  if (hub.errors.length > 0) throw new SpokeError(`the hub template: ${hub.errors[0]?.message}`);
  const out = parseDocument(SKELETON);
  const forwarding = parseDocument(FORWARDING);
  const parameters = sectionOf(out, 'Parameters');
  const conditions = sectionOf(out, 'Conditions');
  const resources = sectionOf(out, 'Resources');

  // HubEnvironment takes what the hub's Environment allows.
  const environment = sectionOf(hub, 'Parameters').get('Environment', true);
  const hubEnvironment: unknown = parameters.get('HubEnvironment', true);
  if (!isMap(hubEnvironment)) throw new SpokeError('the skeleton has no HubEnvironment');
  for (const key of ['AllowedPattern', 'ConstraintDescription']) {
    const value = isMap(environment) ? environment.get(key, true) : undefined;
    if (value === undefined) throw new SpokeError(`the hub's Environment has no ${key}`);
    hubEnvironment.set(key, (value as Node).clone());
  }

  const references: References = { names: new Set(), conditions: new Set() };
  const policies: Pair[] = [];
  for (const functionName of functions) {
    const { spoke } = classify(hub, functionName);
    for (const statement of spoke) referencesOf(statement, references);
    const scoped = spoke.map((statement) => forSession(statement, functionName));
    const chunks = chunkStatements(scoped);
    for (const [index, chunk] of chunks.entries()) {
      const part = chunks.length > 1 ? ` (${index + 1} of ${chunks.length})` : '';
      const policy = parseDocument(`Type: AWS::IAM::ManagedPolicy
Condition: CreatesRole
Properties:
  Description: ${functionName}'s permissions on this account's resources${part}, for its own sessions of the role.
  Roles: [!Ref ${SPOKE_ROLE}]
  PolicyDocument:
    Version: "2012-10-17"
    Statement: []
`);
      const list = policy.getIn(['Properties', 'PolicyDocument', 'Statement'], true) as YAMLSeq;
      list.flow = false;
      list.items.push(...chunk);
      const pair = out.createPair(spokePolicyId(functionName, index), policy.contents) as Pair;
      if (index === 0 && isScalar(pair.key)) {
        (pair.key as Scalar).commentBefore =
          ` --- ${functionName}: its hub statements on the account's resources, for its session (${spokeSessionName(functionName)}) only`;
      }
      policies.push(pair);
    }
  }
  resources.items.push(...policies);
  resources.items.push(...(sectionOf(forwarding, 'Resources').items as Pair[]));

  const carried = carry(hub, references);
  const first = carried.parameters[0];
  if (first && isScalar(first.key)) {
    first.key.commentBefore =
      " The hub's own settings that the statements read: give them the hub's values.";
  }
  parameters.items.push(...carried.parameters.map((pair) => pair.clone() as Pair));
  conditions.items.push(...carried.conditions.map((pair) => pair.clone() as Pair));

  for (const section of [parameters, resources]) {
    for (const [index, pair] of (section.items as Pair[]).entries()) {
      if (isScalar(pair.key)) pair.key.spaceBefore = section === resources && index > 0;
    }
  }
  out.commentBefore = header(functions);
  return out.toString({ lineWidth: 0, flowCollectionPadding: false });
};
