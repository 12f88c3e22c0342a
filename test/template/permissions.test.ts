import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFunctions } from '../../scripts/lib/functions.ts';
import { bundledSources } from './bundles.ts';
import { parseTemplate } from './cfnYaml.ts';

const root = resolve(import.meta.dirname, '../..');
const template = parseTemplate(readFileSync(join(root, 'template.yaml'), 'utf8'));

/** The IAM service prefix of each SDK client package the functions use. */
const SERVICE_PREFIX: Record<string, string> = {
  'client-auto-scaling': 'autoscaling',
  'client-backup': 'backup',
  'client-cloudwatch': 'cloudwatch',
  'client-codepipeline': 'codepipeline',
  'client-dynamodb': 'dynamodb',
  'client-ec2': 'ec2',
  'client-organizations': 'organizations',
  'client-pricing': 'pricing',
  'client-rds': 'rds',
  'client-secrets-manager': 'secretsmanager',
  'client-sns': 'sns',
  'client-sqs': 'sqs',
  'client-ssm': 'ssm',
  'client-sts': 'sts',
};

/**
 * Calls whose permission is another action's (the Service Authorization Reference): a batch
 * send is `sqs:SendMessage`; a transaction is each of its items' own action (the runs
 * table's are put and update); `sts:GetCallerIdentity` needs no permission at all.
 */
const PERMISSION_OF: Record<string, readonly string[]> = {
  'sqs:SendMessageBatch': ['sqs:SendMessage'],
  'dynamodb:TransactWriteItems': ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  'sts:GetCallerIdentity': [],
};

/**
 * `ec2:DescribeVolumes` for every `DescribeVolumesCommand` or `paginateDescribeVolumes` a
 * source file imports.
 */
const actionsSentBy = (files: string[]): Set<string> => {
  const actions = new Set<string>();
  const imports = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g;
  for (const file of files) {
    for (const [, names = '', client = ''] of readFileSync(file, 'utf8').matchAll(imports)) {
      const prefix = SERVICE_PREFIX[client];
      if (!prefix) throw new Error(`${file}: no IAM prefix known for @aws-sdk/${client}`);
      for (const name of names.split(',').map((entry) => entry.trim())) {
        const command =
          /^([A-Za-z0-9]+)Command$/.exec(name)?.[1] ?? /^paginate([A-Za-z0-9]+)$/.exec(name)?.[1];
        if (!command || name.startsWith('type ')) continue;
        const action = `${prefix}:${command}`;
        for (const needed of PERMISSION_OF[action] ?? [action]) actions.add(needed);
      }
    }
  }
  return actions;
};

const allowedActions = (logicalId: string): Set<string> => {
  const policies = (template.Resources[logicalId]?.Properties?.Policies ?? []) as {
    Statement?: Record<string, unknown>[];
  }[];
  const statements = policies.flatMap((policy) =>
    (policy.Statement ?? []).map((statement) =>
      'Fn::If' in statement
        ? ((statement['Fn::If'] as unknown[])[1] as Record<string, unknown>)
        : statement,
    ),
  );
  return new Set(
    statements
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => [statement.Action].flat() as string[]),
  );
};

const functions = listFunctions(root).map((fn) => ({
  logicalId: `${fn.resource}Function`,
  name: fn.name,
}));

describe('IAM against the code', () => {
  it('covers every function of the template, each built from its own folder', () => {
    // Act
    const inTemplate = Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
      .map(([logicalId, resource]) => ({
        logicalId,
        name: String(resource.Properties?.CodeUri ?? '').replace(/^dist\//, ''),
      }));

    // Assess
    expect(functions.length).toBeGreaterThan(0);
    expect(inTemplate).toEqual(expect.arrayContaining(functions));
    expect(inTemplate).toHaveLength(functions.length);
  });

  it.each(functions.map(({ logicalId, name }) => [name, logicalId]))(
    'allows %s every AWS action its code sends',
    (name, logicalId) => {
      // Prepare
      const sent = actionsSentBy(bundledSources(root, name));
      const allowed = allowedActions(logicalId);

      // Act
      const missing = [...sent].filter((action) => !allowed.has(action));

      // Assess
      expect(sent.size).toBeGreaterThan(0);
      expect(missing).toEqual([]);
    },
  );
});
