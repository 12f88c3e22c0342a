import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PEAK_RSS_SOURCE } from './invoke.ts';
import { median } from './stats.ts';

/**
 * Whether a process uses Node's compile cache: `off`; `warm`, a cache directory filled by
 * an earlier run; `empty`, a new empty directory each time, which is what every Lambda
 * cold start would see with the cache in /tmp.
 */
export type CacheMode = 'off' | 'warm' | 'empty';

/** Something to start cold: a bundle to import, or nothing (an empty Node.js process). */
export interface ColdTarget {
  id: string;
  /** The module to import; none for the empty process. */
  path?: string;
  modes: readonly CacheMode[];
}

/** Medians of one target in one cache mode. */
export interface ColdResult {
  id: string;
  mode: CacheMode;
  runs: number;
  /** From spawn to exit, as a cold start costs it. */
  wallMs: number;
  /** The import alone, timed inside the process. */
  importMs: number;
  /** Peak resident set size of the process after the import. */
  maxRssMb: number;
  /** Every measured wall time, by round, for ratios paired within a round. */
  samples: number[];
}

// The whole child: import the module named by the first argument, if any, and report.
const LOADER = `${PEAK_RSS_SOURCE}
const started = performance.now();
if (process.argv[1]) await import(process.argv[1]);
const importMs = performance.now() - started;
process.stdout.write(JSON.stringify({ importMs, maxRssKb: peakRssKb() }));
`;

interface Sample {
  wallMs: number;
  importMs: number;
  maxRssKb: number;
}

const startOnce = (
  target: ColdTarget,
  env: NodeJS.ProcessEnv,
  cacheDir: string | undefined,
): Promise<Sample> =>
  new Promise((resolve, reject) => {
    const args = ['--input-type=module', '-e', LOADER];
    if (target.path) args.push(pathToFileURL(target.path).href);
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      env: cacheDir ? { ...env, NODE_COMPILE_CACHE: cacheDir } : env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let wallMs = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', () => {
      wallMs = performance.now() - started;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new Error(`cold start of ${target.id} exited with ${code}:\n${stderr}`));
        return;
      }
      const { importMs, maxRssKb } = JSON.parse(stdout) as Omit<Sample, 'wallMs'>;
      resolve({ wallMs, importMs, maxRssKb });
    });
  });

/**
 * Starts every target in every one of its cache modes `rounds` times, interleaved (each
 * round in another rotation), so machine noise hits targets and baselines alike; one
 * unmeasured start of each comes first. Returns the medians.
 *
 * @example
 * const results = await measureColdStarts([{ id: 'empty', modes: ['off'] }], { rounds: 15, tmp });
 */
export const measureColdStarts = async (
  targets: readonly ColdTarget[],
  { rounds, tmp, env }: { rounds: number; tmp: string; env: NodeJS.ProcessEnv },
): Promise<ColdResult[]> => {
  const warmCache = join(tmp, 'compile-cache');
  mkdirSync(warmCache, { recursive: true });
  const pairs = targets.flatMap((target) => target.modes.map((mode) => ({ target, mode })));
  const samples = new Map<string, Sample[]>();
  const key = (id: string, mode: CacheMode) => `${id}\u0000${mode}`;
  const run = async ({ target, mode }: { target: ColdTarget; mode: CacheMode }) => {
    if (mode === 'empty') {
      const fresh = mkdtempSync(join(tmp, 'empty-cache-'));
      try {
        return await startOnce(target, env, fresh);
      } finally {
        rmSync(fresh, { recursive: true, force: true });
      }
    }
    return startOnce(target, env, mode === 'warm' ? warmCache : undefined);
  };

  for (const pair of pairs) await run(pair);
  for (let round = 0; round < rounds; round += 1) {
    const offset = (round * 7) % pairs.length;
    const order = [...pairs.slice(offset), ...pairs.slice(0, offset)];
    if (round % 2 === 1) order.reverse();
    for (const pair of order) {
      const sample = await run(pair);
      const id = key(pair.target.id, pair.mode);
      samples.set(id, [...(samples.get(id) ?? []), sample]);
    }
  }
  return pairs.map(({ target, mode }) => {
    const list = samples.get(key(target.id, mode)) ?? [];
    return {
      id: target.id,
      mode,
      runs: list.length,
      wallMs: median(list.map((sample) => sample.wallMs)),
      importMs: median(list.map((sample) => sample.importMs)),
      maxRssMb: median(list.map((sample) => sample.maxRssKb)) / 1024,
      samples: list.map((sample) => sample.wallMs),
    };
  });
};
