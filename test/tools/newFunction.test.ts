// `pnpm new-function` end to end, in a copy of the repository: the function it creates
// passes the lint, the typecheck, its own unit tests and the template's tests and checks,
// with no other file edited by hand. Slow (about two and a half minutes: a workspace install,
// a build and `sam build` of every function).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFunctions } from '../../scripts/lib/functions.ts';
import { createFunction } from '../../scripts/new-function.ts';
import { parseTemplate } from '../template/cfnYaml.ts';

const root = resolve(import.meta.dirname, '../..');
const NAME = 'night-report';

/** The repository's files (tracked, and new ones not ignored) in a fresh folder. */
const copyRepository = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-new-function-'));
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: root, encoding: 'utf8' },
  )
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(root, file)));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(root, file), join(dir, file));
  }
  // The pinned tools as they are; the bundles already built (the new one is built here).
  for (const tools of ['.tools', '.venv']) {
    if (existsSync(join(root, tools))) symlinkSync(join(root, tools), join(dir, tools));
  }
  if (existsSync(join(root, 'dist')))
    cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
  return dir;
};

/** The environment of a command run as a developer would run it: no trace of this test run. */
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('VITEST') && !['NODE_ENV', 'NODE_OPTIONS', 'TEST'].includes(key),
    ),
  );

describe('pnpm new-function', () => {
  let dir = '';
  /** Runs a command in the copy with the project's toolchain on PATH. */
  const sh = (command: string) => {
    const result = spawnSync('bash', ['-c', `source scripts/lib/env.sh && ${command}`], {
      cwd: dir,
      env: cleanEnv(),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return {
      status: result.status,
      output: stripVTControlCharacters(`${result.stdout}\n${result.stderr}`),
    };
  };

  beforeAll(() => {
    dir = copyRepository();
    const install = sh('pnpm install --offline --no-frozen-lockfile');
    expect(install.status, install.output).toBe(0);
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the function, its manifest and its template resources', () => {
    // Act
    const created = sh(`node scripts/new-function.ts ${NAME} --description "Reports the night."`);

    // Assess
    expect(created.status, created.output).toBe(0);
    for (const file of [
      'package.json',
      'README.md',
      'template.yaml',
      'events/dry-run.json',
      'events/smoke.json',
      ...['handler', 'run', 'config', 'event', 'plan', 'apply'].map((module) => `src/${module}.ts`),
      ...['run', 'config', 'event', 'plan', 'apply', 'handler'].map(
        (module) => `test/${module}.test.ts`,
      ),
      'test/event.property.test.ts',
    ]) {
      expect(existsSync(join(dir, 'functions', NAME, file)), file).toBe(true);
    }
    const manifest = listFunctions(dir).find((fn) => fn.name === NAME);
    expect(manifest).toMatchObject({
      resource: 'NightReport',
      description: 'Reports the night.',
      trigger: 'schedule',
      dryRun: true,
    });
    const { Resources } = parseTemplate(readFileSync(join(dir, 'template.yaml'), 'utf8'));
    for (const id of ['Function', 'LogGroup', 'DeadLetterQueue', 'ErrorsAlarm']) {
      expect(Resources[`NightReport${id}`], id).toBeDefined();
    }
    expect(readFileSync(join(dir, 'functions', NAME, 'src/run.ts'), 'utf8')).toContain(
      `export const SERVICE = '${NAME}';`,
    );
  }, 60_000);

  it('passes the lint', () => {
    const lint = sh(`biome check functions/${NAME}`);
    expect(lint.status, lint.output).toBe(0);
  }, 30_000);

  it('passes the typecheck of the whole repository', () => {
    const typecheck = sh('tsc -p tsconfig.json');
    expect(typecheck.status, typecheck.output).toBe(0);
  }, 60_000);

  it('passes the tools tests (invoke, the smoke events, the layer boundaries)', () => {
    const tests = sh("vitest run --project tools --exclude '**/newFunction.test.ts'");
    expect(tests.status, tests.output).toBe(0);
  }, 120_000);

  it('passes its own unit tests, one file per module and the event property tests', () => {
    const tests = sh(`vitest run --project @nightshift/${NAME}`);
    expect(tests.status, tests.output).toBe(0);
    expect(tests.output).toMatch(/Test Files\s+\S*7 passed/);
  }, 60_000);

  it('passes the template tests and checks once built', () => {
    // Prepare: the new bundle, and any the copied dist/ does not hold.
    const unbuilt = listFunctions(dir)
      .map((fn) => fn.name)
      .filter(
        (name) =>
          name === NAME ||
          !existsSync(join(dir, 'dist', name, 'index.mjs')) ||
          !existsSync(join(dir, 'dist', '.meta', `${name}.json`)),
      );
    const build = sh(`node scripts/build.ts ${unbuilt.join(' ')}`);
    expect(build.status, build.output).toBe(0);

    // Act
    const tests = sh('vitest run --project template');
    const checks = sh('bash scripts/check-template.sh');

    // Assess
    expect(tests.status, tests.output).toBe(0);
    expect(checks.status, checks.output).toBe(0);
    expect(checks.output).toContain('template: all checks passed');
  }, 180_000);

  it('refuses a name that is not lower-case words joined by hyphens, or one taken', () => {
    // Act & Assess
    expect(() => createFunction(dir, { name: 'Night_Report' })).toThrow(/lower-case words/);
    expect(() => createFunction(dir, { name: '../outside' })).toThrow(/lower-case words/);
    expect(() => createFunction(dir, { name: NAME })).toThrow(`functions/${NAME} exists already`);
  });
});
