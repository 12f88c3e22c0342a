import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFunctions } from '../../scripts/lib/functions.ts';

const root = resolve(import.meta.dirname, '../..');

/**
 * Re-export files: they hold no code of their own (checked below), and what they export
 * is tested in the test files of the modules it comes from.
 */
const RE_EXPORTS = new Set([
  // `@nightshift/delivery/chat`: the chat rendering subpath of the delivery package.
  'packages/delivery/src/chat.ts',
]);
/** Every package's and function's entry point is a re-export file too. */
const isEntryPoint = (module: string) =>
  /^(packages|functions)\/[^/]+\/src\/index\.ts$/.test(module);

/** Modules that hold only types or constants: nothing in them to run, so nothing to test. */
const DECLARATIONS_ONLY = new Set([
  // The morning report's shape: interfaces only.
  'functions/morning-report/src/model.ts',
  // The run history's records: types only.
  'packages/history/src/types.ts',
  // The reconcile's types, and its actions as one constant object.
  'functions/infra-scaler/src/reconcile/types.ts',
  // DAY_MS and HOUR_MS.
  'packages/runtime/src/time.ts',
]);

/** The folders that hold a `src/`: each function, each package. */
const workspaces = (): string[] =>
  ['functions', 'packages'].flatMap((parent) =>
    readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, parent, entry.name, 'src')))
      .map((entry) => `${parent}/${entry.name}`),
  );

/** Every TypeScript module under `<workspace>/src`, as a path from `src/` (`reconcile/run.ts`). */
const modulesOf = (workspace: string): string[] =>
  readdirSync(join(root, workspace, 'src'), { recursive: true, encoding: 'utf8' })
    .map((path) => path.split('\\').join('/'))
    .filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))
    .sort();

/** The test files that count as a module's: `<name>.test.ts`, and its property and limits tests. */
const testsOf = (workspace: string, module: string): string[] => {
  const name = module.slice(0, -'.ts'.length);
  return ['test', 'property.test', 'limits.test'].map(
    (suffix) => `${workspace}/test/${name}.${suffix}.ts`,
  );
};

const hasTest = (workspace: string, module: string) =>
  testsOf(workspace, module).some((path) => existsSync(join(root, path)));

/** Why a module needs no test file of its own, or undefined when it needs one. */
const exemption = (workspace: string, module: string): string | undefined => {
  const path = `${workspace}/src/${module}`;
  if (isEntryPoint(path) || RE_EXPORTS.has(path)) return 're-exports';
  if (DECLARATIONS_ONLY.has(path)) return 'declarations only';
  return undefined;
};

/** What is left of a module once its comments and `export … from` statements are taken out. */
const codeBesideReExports = (path: string): string =>
  readFileSync(join(root, path), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/export\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+'[^']+';?/g, '')
    .trim();

describe('Tests mirror sources', () => {
  it('has a test file named after every module of every function and package', () => {
    // Act
    const missing = workspaces().flatMap((workspace) =>
      modulesOf(workspace)
        .filter((module) => !hasTest(workspace, module) && !exemption(workspace, module))
        .map(
          (module) =>
            `${workspace}/src/${module} has no test: expected ${testsOf(workspace, module)[0]}`,
        ),
    );

    // Assess
    expect(missing, `modules without a test file:\n${missing.join('\n')}`).toEqual([]);
  });

  it('scans every function of the function list', () => {
    // Act
    const scanned = new Set(workspaces());

    // Assess
    for (const { name } of listFunctions(root))
      expect(scanned.has(`functions/${name}`), name).toBe(true);
  });

  it('exempts as re-exports only files that hold nothing else', () => {
    // Prepare
    const reExports = workspaces().flatMap((workspace) =>
      modulesOf(workspace)
        .filter((module) => exemption(workspace, module) === 're-exports')
        .map((module) => `${workspace}/src/${module}`),
    );

    // Act
    const withCode = reExports.filter((path) => codeBesideReExports(path) !== '');

    // Assess
    expect(reExports).toContain('packages/delivery/src/chat.ts');
    expect(withCode, `re-export files with code of their own:\n${withCode.join('\n')}`).toEqual([]);
  });

  it('exempts as declarations only files without a function in them', () => {
    // Act
    const withCode = [...DECLARATIONS_ONLY].filter((path) =>
      /=>|\bfunction\b|\bclass\b/.test(
        readFileSync(join(root, path), 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\/\/.*$/gm, ''),
      ),
    );

    // Assess
    expect(withCode, `declaration files with code in them:\n${withCode.join('\n')}`).toEqual([]);
  });

  it('exempts only modules that exist', () => {
    // Act
    const gone = [...RE_EXPORTS, ...DECLARATIONS_ONLY].filter(
      (path) => !existsSync(join(root, path)),
    );

    // Assess
    expect(gone, `exempted modules that do not exist:\n${gone.join('\n')}`).toEqual([]);
  });

  it('names the module and the test file it lacks', () => {
    // Act & Assess
    expect(testsOf('functions/infra-scaler', 'reconcile/run.ts')).toEqual([
      'functions/infra-scaler/test/reconcile/run.test.ts',
      'functions/infra-scaler/test/reconcile/run.property.test.ts',
      'functions/infra-scaler/test/reconcile/run.limits.test.ts',
    ]);
    expect(exemption('functions/infra-scaler', 'reconcile/run.ts')).toBeUndefined();
    expect(exemption('packages/runtime', 'index.ts')).toBe('re-exports');
    expect(exemption('functions/infra-scaler', 'index.ts')).toBe('re-exports');
    expect(exemption('packages/runtime', 'nested/index.ts')).toBeUndefined();
  });
});
