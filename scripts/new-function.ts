// Creates a new function of the one Nightshift shape, working end to end: its package
// (manifest under `nightshift`), handler, run, settings, event schema, planner and apply,
// a unit test of each, sample events, a README, and its resources in template.yaml (its own
// functions/<name>/template.yaml, then template.yaml written again). The files come from
// scripts/new-function/, where {{name}}, {{Resource}} and {{description}} stand for the
// function's.
//   pnpm new-function <name> [--description "What it does."] [--no-install]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { isFunctionName, listFunctions, readManifest, toResourceName } from './lib/functions.ts';
import { renderTemplate } from './template.ts';

/** Where the new function's files come from. */
export const SKELETON = 'scripts/new-function';

/** What the new function is to be. */
export interface NewFunction {
  name: string;
  description?: string;
}

/** The new function's package.json: its manifest and the packages its skeleton uses. */
const packageJson = (name: string, description: string) => ({
  name: `@nightshift/${name}`,
  version: '0.1.0',
  private: true,
  description,
  type: 'module',
  nightshift: {
    trigger: 'schedule',
    dryRun: true,
    smokeEvent: 'events/smoke.json',
    metrics: ['InstancesFlagged'],
    history: true,
  },
  dependencies: {
    '@aws-sdk/client-ec2': 'catalog:',
    '@aws-sdk/client-sns': 'catalog:',
    '@nightshift/conventions': 'workspace:*',
    '@nightshift/inventory': 'workspace:*',
    '@nightshift/job': 'workspace:*',
    '@nightshift/middleware': 'workspace:*',
    '@nightshift/runtime': 'workspace:*',
    zod: 'catalog:',
  },
  devDependencies: {
    '@nightshift/testing': 'workspace:*',
    '@types/aws-lambda': 'catalog:',
    'aws-sdk-client-mock': 'catalog:',
    'fast-check': 'catalog:',
    vitest: 'catalog:',
  },
});

/** Every file under `dir`, relative to it. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();

/**
 * Writes the new function's files and template.yaml; returns the files it wrote, relative
 * to `root`. Refuses a name that is not lower-case words joined by hyphens, or that a
 * function has already.
 *
 * @example
 * createFunction(root, { name: 'night-report', description: 'Reports what ran tonight.' });
 */
export const createFunction = (root: string, { name, description }: NewFunction): string[] => {
  if (!isFunctionName(name)) {
    throw new Error(`"${name}": a function's name is lower-case words joined by hyphens`);
  }
  const dir = join(root, 'functions', name);
  if (existsSync(dir) || listFunctions(root).some((fn) => fn.name === name)) {
    throw new Error(`functions/${name} exists already`);
  }
  const about = description ?? `What ${name} does, in one sentence.`;
  const fill = (text: string) =>
    text.replace(/\{\{(name|Resource|description)\}\}/g, (_, key: string) =>
      key === 'name' ? name : key === 'Resource' ? toResourceName(name) : about,
    );

  const written: string[] = [];
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
    written.push(`functions/${name}/${path}`);
  };
  try {
    write('package.json', `${JSON.stringify(packageJson(name, about), null, 2)}\n`);
    const skeleton = join(root, SKELETON);
    for (const file of filesUnder(skeleton)) {
      write(file.replace(/\.tmpl$/, ''), fill(readFileSync(join(skeleton, file), 'utf8')));
    }
    readManifest(root, name);
    writeFileSync(join(root, 'template.yaml'), renderTemplate(root));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return [...written, 'template.yaml'];
};

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename;
if (isMain) {
  const root = resolve(import.meta.dirname, '..');
  const args = process.argv.slice(2);
  const at = args.indexOf('--description');
  const description = at >= 0 ? args[at + 1] : undefined;
  const names = args.filter((arg, index) => !arg.startsWith('--') && (at < 0 || index !== at + 1));
  if (names.length !== 1 || (at >= 0 && description === undefined)) {
    console.error('usage: pnpm new-function <name> [--description "What it does."] [--no-install]');
    process.exit(2);
  }
  const name = names[0] ?? '';
  try {
    const written = createFunction(root, { name, ...(description ? { description } : {}) });
    console.log(`new-function: wrote\n  ${written.join('\n  ')}`);
  } catch (error) {
    console.error(`new-function: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  if (!args.includes('--no-install')) {
    // Links the new package into the workspace (its dependencies are in the catalog). A new
    // package changes the lockfile, which pnpm refuses by default where CI is set.
    const install = spawnSync('pnpm', ['install', '--offline', '--no-frozen-lockfile'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (install.status !== 0) {
      console.error(
        'new-function: pnpm install --offline --no-frozen-lockfile failed; run pnpm install',
      );
      process.exit(1);
    }
  }
  console.log(`
Next:
  npm run build -- ${name}
  bash scripts/run.sh vitest run --project @nightshift/${name}
  npm run test:template
Then make it the function it is meant to be: its reading, plan and change (src/), its
permissions and schedule (functions/${name}/template.yaml, then npm run template), its
metrics (nightshift.metrics in its package.json), its smoke event (events/smoke.json: what a
deploy invokes; \${stage}, \${scaledEnvironment}, \${now} are filled in) and its README.
See CONTRIBUTING.md.`);
}
