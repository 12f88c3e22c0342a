// Runs one built function locally, like `sam local invoke` without Docker.
//   npm run invoke -- <function> [--event FILE|-] [--dry-run] [--endpoint URL | --aws [--apply]]
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { invokeBundle, type MotoServer, startMoto } from '@nightshift/testing';
import { listFunctions } from './lib/functions.ts';
import { planInvocation, UsageError, usage } from './lib/invocation.ts';

const root = resolve(import.meta.dirname, '..');

const main = async () => {
  const invocation = planInvocation(process.argv.slice(2), {
    root,
    readStdin: () => readFileSync(0, 'utf8'),
  });
  if (!existsSync(invocation.bundle))
    throw new UsageError(`${invocation.bundle} is not built: run npm run build`);
  let moto: MotoServer | undefined;
  const env: Record<string, string> = { AWS_REGION: process.env.AWS_REGION ?? 'us-east-1' };
  if (invocation.dryRun) env.DRY_RUN = 'true';
  try {
    if (invocation.target.kind === 'emulator') {
      moto = await startMoto();
      Object.assign(env, {
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      });
    } else if (invocation.target.kind === 'endpoint') {
      Object.assign(env, {
        AWS_ENDPOINT_URL: invocation.target.url,
        AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
        AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
      });
    } else {
      delete process.env.AWS_ENDPOINT_URL;
    }
    const where =
      invocation.target.kind === 'aws' ? 'your AWS account' : (env.AWS_ENDPOINT_URL ?? '');
    console.error(
      `invoke: ${invocation.functionName} with ${invocation.eventSource} against ${where}${invocation.dryRun ? ' (dry run)' : ''}`,
    );
    const { result, error, output } = await invokeBundle(invocation.bundle, invocation.event, {
      env,
      functionName: invocation.functionName,
    });
    process.stderr.write(output);
    if (error) {
      console.error(`invoke: ${error.name}: ${error.message}`);
      process.exitCode = 1;
    } else {
      console.log(JSON.stringify(result, null, 2));
    }
  } finally {
    await moto?.stop();
  }
};

await main().catch((error: Error) => {
  console.error(`invoke: ${error.message}`);
  if (error instanceof UsageError) console.error(usage(listFunctions(root)));
  process.exitCode = 2;
});
