// What `invoke` should do, worked out from its arguments: pure, so it is tested apart.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FunctionManifest, listFunctions } from './functions.ts';

/**
 * The usage message; the functions without a dry run are named from their manifests.
 *
 * @example
 * console.error(usage(listFunctions(root)));
 */
export const usage = (functions: readonly FunctionManifest[]): string => {
  const noDryRun = functions.filter((fn) => !fn.dryRun).map((fn) => fn.name);
  return `usage: invoke <function> [--event FILE|-] [--dry-run] [--endpoint URL | --aws [--apply]]

  --event FILE|-   the event (JSON file, or - for standard input); default: the first file
                   in functions/<function>/events/
  --dry-run        plan and report only (event dryRun and DRY_RUN=true)
  --endpoint URL   an emulator already running (default: start a fresh local one)
  --aws            the real AWS account of your credentials; a dry run unless --apply${
    noDryRun.length > 0
      ? `\n                   (${noDryRun.join(', ')} ${noDryRun.length === 1 ? 'has' : 'have'} no dry run: --apply is required)`
      : ''
  }`;
};

/** Where the function's AWS calls go. */
export type Target = { kind: 'emulator' } | { kind: 'endpoint'; url: string } | { kind: 'aws' };

export interface Invocation {
  functionName: string;
  bundle: string;
  event: unknown;
  eventSource: string;
  dryRun: boolean;
  target: Target;
}

/** A mistake in the arguments: the message says which, the usage follows it. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const readJson = (text: string, source: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the event in ${source} is not JSON: ${(error as Error).message}`);
  }
};

/**
 * Works out the function, its bundle, the event and the target from `invoke`'s arguments.
 *
 * @example
 * planInvocation(['snapshot-cleanup', '--dry-run'], { root, readStdin: () => '' });
 */
export const planInvocation = (
  args: readonly string[],
  { root, readStdin }: { root: string; readStdin: () => string },
): Invocation => {
  const manifests = listFunctions(root);
  const functions = manifests.map((fn) => fn.name);
  const [functionName, ...rest] = args;
  if (!functionName || functionName.startsWith('-'))
    throw new UsageError(`which function? one of ${functions.join(', ')}`);
  const manifest = manifests.find((fn) => fn.name === functionName);
  if (!manifest) {
    throw new UsageError(`no function named ${functionName}; there are ${functions.join(', ')}`);
  }
  let eventArg: string | undefined;
  let endpoint: string | undefined;
  let dryRunFlag = false;
  let aws = false;
  let apply = false;
  for (let index = 0; index < rest.length; index += 1) {
    const arg = rest[index];
    const value = () => {
      const next = rest[index + 1];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      index += 1;
      return next;
    };
    if (arg === '--event') eventArg = value();
    else if (arg === '--endpoint') endpoint = value();
    else if (arg === '--dry-run') dryRunFlag = true;
    else if (arg === '--aws') aws = true;
    else if (arg === '--apply') apply = true;
    else throw new UsageError(`unknown option ${arg}`);
  }
  if (aws && endpoint) throw new UsageError('--aws and --endpoint exclude each other');
  if (apply && !aws) throw new UsageError('--apply only makes sense with --aws');
  if (apply && dryRunFlag) throw new UsageError('--apply and --dry-run exclude each other');

  let event: unknown;
  let eventSource: string;
  if (eventArg === '-') {
    eventSource = 'standard input';
    event = readJson(readStdin(), eventSource);
  } else if (eventArg !== undefined) {
    if (!existsSync(eventArg)) throw new UsageError(`no event file ${eventArg}`);
    eventSource = eventArg;
    event = readJson(readFileSync(eventArg, 'utf8'), eventSource);
  } else {
    const dir = join(root, 'functions', functionName, 'events');
    const first = existsSync(dir)
      ? readdirSync(dir)
          .filter((name) => name.endsWith('.json'))
          .sort()[0]
      : undefined;
    if (!first)
      throw new UsageError(
        `functions/${functionName}/events/ has no sample event; give one with --event`,
      );
    eventSource = `functions/${functionName}/events/${first}`;
    event = readJson(readFileSync(join(dir, first), 'utf8'), eventSource);
  }
  // Against a real account, nothing changes unless asked for in so many words.
  const dryRun = dryRunFlag || (aws && !apply);
  if (dryRun && !manifest.dryRun) {
    throw new UsageError(
      `${functionName} has no dry run: ${manifest.runsAnyway ?? 'it changes what it is for'}. ${aws ? 'Add --apply to run it against your AWS account' : 'Leave out --dry-run'}`,
    );
  }
  if (
    dryRun &&
    event !== null &&
    typeof event === 'object' &&
    !Array.isArray(event) &&
    !('awslogs' in event)
  ) {
    event = { ...event, dryRun: true };
  }
  const target: Target = aws
    ? { kind: 'aws' }
    : endpoint
      ? { kind: 'endpoint', url: endpoint }
      : { kind: 'emulator' };
  return {
    functionName,
    bundle: join(root, 'dist', functionName, 'index.mjs'),
    event,
    eventSource,
    dryRun,
    target,
  };
};
