import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crossing, findViolations, importsOf } from '../../scripts/lib/boundaries.ts';
import { listFunctions } from '../../scripts/lib/functions.ts';

const root = resolve(import.meta.dirname, '../..');
const names = ['backup-manager', 'infra-scaler'];

describe('Layer boundaries', () => {
  it('holds in the repository: no function imports another, no package imports a function', () => {
    // Act
    const violations = findViolations(
      root,
      listFunctions(root).map((fn) => fn.name),
    );

    // Assess
    expect(violations).toEqual([]);
  });

  it('reads static, type-only, re-exported, side-effect and dynamic imports', () => {
    // Prepare
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '@nightshift/runtime';",
      "export { c } from '../src/c.ts';",
      "import '../../infra-scaler/src/setup.ts';",
      "const d = await import('@nightshift/backup-manager');",
      'import {',
      '  e,',
      "} from '../../backup-manager/src/e.ts';",
    ].join('\n');

    // Act & Assess
    expect(importsOf(source)).toEqual([
      './a.ts',
      '@nightshift/runtime',
      '../src/c.ts',
      '../../infra-scaler/src/setup.ts',
      '@nightshift/backup-manager',
      '../../backup-manager/src/e.ts',
    ]);
  });

  it.each([
    [
      'functions/infra-scaler/src/run.ts',
      '../../backup-manager/src/tags.ts',
      'a function imports another function',
    ],
    [
      'functions/infra-scaler/test/run.test.ts',
      '@nightshift/backup-manager',
      'a function imports another function',
    ],
    [
      'packages/job/src/runJob.ts',
      '../../../functions/infra-scaler/src/run.ts',
      'a package imports a function',
    ],
    ['packages/testing/src/x.ts', '@nightshift/infra-scaler', 'a package imports a function'],
  ])('flags %s importing %s', (file, specifier, rule) => {
    expect(crossing(root, file, specifier, names)).toBe(rule);
  });

  it.each([
    ['functions/infra-scaler/src/run.ts', './plan.ts'],
    ['functions/infra-scaler/test/plan.test.ts', '../src/plan.ts'],
    ['functions/infra-scaler/src/run.ts', '@nightshift/job'],
    ['packages/job/src/runJob.ts', '@nightshift/runtime'],
    ['packages/job/src/runJob.ts', '@aws-sdk/client-sns'],
  ])('allows %s importing %s', (file, specifier) => {
    expect(crossing(root, file, specifier, names)).toBeUndefined();
  });
});
