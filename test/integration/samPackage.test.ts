import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getClient } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import { listFunctions } from '../../scripts/lib/functions.ts';
import { parseTemplate } from '../template/cfnYaml.ts';

const root = resolve(import.meta.dirname, '../..');

describe('sam package', () => {
  it('uploads every function as a zip holding its bundle, and points the template at it', async () => {
    // Prepare
    const s3 = getClient(S3Client);
    await s3.send(new CreateBucketCommand({ Bucket: 'nightshift-artifacts' }));
    const output = join(mkdtempSync(join(tmpdir(), 'nightshift-package-')), 'packaged.yaml');

    // Act
    const run = spawnSync(
      'sam',
      [
        'package',
        '--template-file',
        join(root, 'template.yaml'),
        '--s3-bucket',
        'nightshift-artifacts',
        '--output-template-file',
        output,
        '--region',
        process.env.AWS_REGION ?? 'us-east-1',
      ],
      { cwd: root, env: { ...process.env, SAM_CLI_TELEMETRY: '0' }, encoding: 'utf8' },
    );

    // Assess
    expect(run.status, run.stderr).toBe(0);
    const packaged = parseTemplate(readFileSync(output, 'utf8'));
    const functions = Object.entries(packaged.Resources).filter(
      ([, resource]) => resource.Type === 'AWS::Serverless::Function',
    );
    expect(functions).toHaveLength(listFunctions(root).length);
    for (const [id, resource] of functions) {
      const uri = String(resource.Properties?.CodeUri);
      expect(uri, id).toMatch(/^s3:\/\/nightshift-artifacts\/[0-9a-f]{32}$/);
      const object = await s3.send(
        new GetObjectCommand({ Bucket: 'nightshift-artifacts', Key: uri.split('/').at(-1) }),
      );
      const zip = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      expect(zip.subarray(0, 2).toString(), id).toBe('PK');
      expect(zip.includes('index.mjs'), id).toBe(true);
      expect(zip.includes('index.mjs.map'), id).toBe(true);
    }
  });
});
