import { parse, type Tags } from 'yaml';

const INTRINSICS = [
  'And',
  'Base64',
  'Cidr',
  'Condition',
  'Equals',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Or',
  'Ref',
  'Select',
  'Split',
  'Sub',
  'Transform',
] as const;

/** CloudFormation's short-form tags (`!Ref`, `!Sub`, ...) read as their long form. */
const cfnTags: Tags = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const resolve = (value: unknown) =>
    name === 'GetAtt' && typeof value === 'string' ? { [key]: value.split('.') } : { [key]: value };
  return (['scalar', 'seq', 'map'] as const).map((nodeClass) => ({
    tag: `!${name}`,
    collection: nodeClass === 'scalar' ? undefined : nodeClass,
    resolve: (node: unknown) => resolve((node as { toJSON?: () => unknown }).toJSON?.() ?? node),
  }));
}) as Tags;

/** A CloudFormation / SAM template as plain data. */
export interface CfnTemplate {
  Globals?: { Function?: Record<string, unknown> };
  Parameters?: Record<string, Record<string, unknown>>;
  Conditions?: Record<string, unknown>;
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
  Outputs?: Record<string, unknown>;
}

/** Parses a template written in YAML with CloudFormation's short-form tags. */
export const parseTemplate = (text: string): CfnTemplate =>
  parse(text, { customTags: cfnTags }) as CfnTemplate;
