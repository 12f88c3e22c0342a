// The command line of an organization deploy, for scripts/deploy.sh (see deployOrganization.ts):
//   node scripts/lib/deployOrganizationMain.ts check <stage> [options]   refuses bad input, runs nothing
//   node scripts/lib/deployOrganizationMain.ts deploy <stage> [options]  the hub, then the spoke stack set
// Exits 2 on bad input (nothing changed), 1 when a command fails.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DeployError,
  DeployUsageError,
  deployOrganization,
  type OrganizationDeployInput,
  optionValue,
  parseDeployArgs,
  planOrganizationDeploy,
  readStageConfig,
} from './deployOrganization.ts';

const root = resolve(import.meta.dirname, '../..');

const run = (command: readonly string[], options: { interactive: boolean }) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((done, fail) => {
    const [file, ...args] = command as [string, ...string[]];
    const child = spawn(file, args, {
      cwd: root,
      stdio: options.interactive ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 1, stdout, stderr }));
  });

/** The profile's Region, as `aws` and `sam` read it when nothing else names one. */
const configuredRegion = (samArgs: readonly string[]) => {
  const profile = optionValue(samArgs, '--profile');
  const result = spawnSync(
    'aws',
    ['configure', 'get', 'region', ...(profile === undefined ? [] : ['--profile', profile])],
    { encoding: 'utf8' },
  );
  return result.status === 0 ? result.stdout.trim() || undefined : undefined;
};

async function main(argv: readonly string[]): Promise<void> {
  const [mode, stage, ...args] = argv;
  if ((mode !== 'check' && mode !== 'deploy') || !stage) {
    throw new DeployUsageError(
      'usage: node scripts/lib/deployOrganizationMain.ts check|deploy <stage> --organization --ous ou-…[,…] [--regions a,b] [--forward-pipeline-events] [--dry-run] [sam deploy options]',
    );
  }
  const parsed = parseDeployArgs(args);
  if (parsed.organization === undefined) {
    throw new DeployUsageError('--organization is missing');
  }
  const samArgs = parsed.samArgs;
  const needsConfiguredRegion =
    optionValue(samArgs, '--region') === undefined &&
    !process.env.AWS_REGION &&
    !process.env.AWS_DEFAULT_REGION;
  const input: OrganizationDeployInput = {
    stage,
    options: parsed.organization,
    samArgs,
    stageConfig: readStageConfig(readFileSync(resolve(root, 'samconfig.toml'), 'utf8'), stage),
    templateFile: 'spoke.yaml',
    configuredRegion: needsConfiguredRegion ? configuredRegion(samArgs) : undefined,
    env: process.env,
  };
  planOrganizationDeploy(input);
  if (mode === 'check') return;
  const done = await deployOrganization(input, {
    run,
    log: (line) => console.log(line),
    sleep: (ms) => new Promise((wake) => setTimeout(wake, ms)),
  });
  console.log(
    parsed.organization.dryRun
      ? `deploy: dry run: nothing changed (stack set ${done.stackSetName})`
      : `deploy: stack set ${done.stackSetName} rolled out to ${parsed.organization.ous.join(', ')}`,
  );
}

main(process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'))).catch(
  (error: unknown) => {
    if (error instanceof DeployUsageError || error instanceof DeployError) {
      console.error(`deploy: ${error.message}`);
      process.exitCode = error instanceof DeployUsageError ? 2 : 1;
      return;
    }
    throw error;
  },
);
