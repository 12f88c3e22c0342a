// Mutation testing (Stryker, vitest runner, unit tests only) of the modules that decide
// what to change or what to hide. Each module is mutated against its own package's unit
// tests; the table lists the mutation score of each, and the run fails when one is below
// the threshold.
//   node scripts/mutation.ts [--threshold 90] [module.ts ...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { listFunctions } from './lib/functions.ts';

/**
 * The modules whose decisions do harm when a test misses a change in them: every function's
 * planner and applier (found through the function list, so a new function's are mutated
 * too), and the other modules that decide what to change or what to hide.
 */
const OTHER_DECIDING_MODULES = [
  'functions/infra-scaler/src/environment.ts',
  'functions/infra-scaler/src/event.ts',
  'functions/infra-scaler/src/marks.ts',
  'functions/infra-scaler/src/reconcile/plan.ts',
  'functions/infra-scaler/src/reconcile/apply.ts',
  'functions/backup-manager/src/retention.ts',
  'functions/backup-manager/src/daySets.ts',
  'functions/backup-manager/src/legacy.ts',
  'functions/backup-manager/src/records.ts',
  'functions/log-processor/src/classify.ts',
  'functions/log-processor/src/event.ts',
  'packages/runtime/src/redact.ts',
  'packages/inventory/src/deleteSnapshot.ts',
  'packages/delivery/src/limits.ts',
  'packages/delivery/src/destinations.ts',
  'packages/job/src/decision.ts',
  'packages/schedules/src/document.ts',
  'packages/schedules/src/due.ts',
  'packages/schedules/src/decide.ts',
  'packages/schedules/src/next.ts',
  'packages/job/src/runJob.ts',
  'packages/links/src/token.ts',
  'packages/links/src/once.ts',
  'functions/chat-actions/src/snooze.ts',
  'packages/fanout/src/dispatch.ts',
  'packages/fanout/src/record.ts',
  'packages/fanout/src/complete.ts',
  'packages/fanout/src/worker.ts',
  'packages/targets/src/settings.ts',
  'packages/targets/src/resolve.ts',
  'packages/history/src/record.ts',
  'packages/history/src/read.ts',
  'packages/history/src/keys.ts',
  'functions/infra-scaler/src/facts.ts',
  'functions/morning-report/src/savings.ts',
  'functions/morning-report/src/pricing.ts',
  'functions/morning-report/src/coverage.ts',
  'functions/morning-report/src/attention.ts',
];

const root = resolve(import.meta.dirname, '..');

export const DECIDING_MODULES = [
  ...listFunctions(root).flatMap((fn) =>
    ['plan', 'apply']
      .map((module) => `functions/${fn.name}/src/${module}.ts`)
      .filter((file) => existsSync(join(root, file))),
  ),
  ...OTHER_DECIDING_MODULES,
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { threshold: { type: 'string', default: '90' } },
});
const threshold = Number(values.threshold);
const modules = (positionals.length > 0 ? positionals : DECIDING_MODULES).map((file) =>
  relative(root, resolve(file)),
);

const packageOf = (file: string): string => {
  const match = /^((?:functions|packages)\/[^/]+)\/src\//.exec(file);
  if (!match?.[1])
    throw new Error(`${file} is not a module under functions/<name>/src or packages/<name>/src`);
  return match[1];
};

const byPackage = new Map<string, string[]>();
for (const file of modules)
  byPackage.set(packageOf(file), [...(byPackage.get(packageOf(file)) ?? []), file]);

interface MutantResult {
  status: string;
}
interface Row {
  module: string;
  score: number;
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
  errors: number;
}

const rows: Row[] = [];
const reports = join(root, 'reports', 'mutation');
mkdirSync(reports, { recursive: true });
let runFailed = false;

for (const [pkg, files] of byPackage) {
  const name = pkg.split('/')[1] ?? pkg;
  const reportFile = join(reports, `${name}.json`);
  // Its own sandbox folder and configuration, so two runs at once never clean up or
  // overwrite each other's.
  const tempDir = join(root, '.stryker-tmp', `${name}-${process.pid}`);
  mkdirSync(tempDir, { recursive: true });
  const configFile = join(tempDir, 'stryker.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      ...JSON.parse(readFileSync(join(root, 'stryker.config.json'), 'utf8')),
      mutate: files,
      tempDirName: relative(root, join(tempDir, 'sandbox')),
      jsonReporter: { fileName: relative(root, reportFile) },
    }),
  );
  const result = spawnSync('stryker', ['run', relative(root, configFile)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NS_MUTATION_PACKAGE: pkg },
  });
  rmSync(tempDir, { recursive: true, force: true });
  if (result.status !== 0) {
    console.error(`mutation: stryker failed for ${pkg}`);
    runFailed = true;
    continue;
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    files: Record<string, { mutants: MutantResult[] }>;
  };
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const count = (status: string) => mutants.filter((m) => m.status === status).length;
    const killed = count('Killed');
    const timeout = count('Timeout');
    const survived = count('Survived');
    const noCoverage = count('NoCoverage');
    // As Stryker scores: compile and runtime errors are not counted as valid mutants.
    const errors = count('CompileError') + count('RuntimeError');
    const valid = killed + timeout + survived + noCoverage;
    rows.push({
      module: relative(root, resolve(root, file)),
      score: valid === 0 ? 100 : ((killed + timeout) / valid) * 100,
      killed,
      survived,
      noCoverage,
      timeout,
      errors,
    });
  }
}

const table = [
  '| module | score | killed | timed out | survived | no coverage | errors (not counted) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| \`${r.module}\` | ${r.score.toFixed(1)} % | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${r.errors} |`,
  ),
].join('\n');
writeFileSync(join(reports, 'summary.md'), `${table}\n`);
console.log(`\n${table}\n`);

const below = rows.filter((r) => r.score < threshold);
if (below.length > 0) {
  console.error(`mutation: below ${threshold} %: ${below.map((r) => r.module).join(', ')}`);
  process.exit(1);
}
if (runFailed) process.exit(1);
console.log(`mutation: every module at or above ${threshold} %`);
