import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { median } from './stats.ts';

/** Something to start cold: a bundle to import, or nothing (an empty Node.js process). */
export interface ColdTarget {
  id: string;
  /** The module to import; none for the empty process. */
  path?: string;
  /** Node's --enable-source-maps, as the template's NODE_OPTIONS sets it. */
  sourceMaps?: boolean;
}

/** Medians of one target. */
export interface ColdResult {
  id: string;
  /** From spawn to exit, as a cold start costs it. */
  wallMs: number;
  /** The import alone, timed inside the process. */
  importMs: number;
  /** Peak resident set size of the process after the import (Linux's VmHWM). */
  maxRssMb: number;
  /** Every measured wall time, by round, for ratios paired within a round. */
  samples: number[];
}

// The whole child: import the module named by the first argument, if any, and report.
const LOADER = `
import { readFileSync } from 'node:fs';
const started = performance.now();
if (process.argv[1]) await import(process.argv[1]);
const importMs = performance.now() - started;
const maxRssKb = Number(/^VmHWM:\\s*(\\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
process.stdout.write(JSON.stringify({ importMs, maxRssKb }));
`;

interface Sample {
  wallMs: number;
  importMs: number;
  maxRssKb: number;
}

const startOnce = (target: ColdTarget, env: NodeJS.ProcessEnv): Promise<Sample> =>
  new Promise((resolve, reject) => {
    const args = [
      ...(target.sourceMaps ? ['--enable-source-maps'] : []),
      '--input-type=module',
      '-e',
      LOADER,
    ];
    if (target.path) args.push(pathToFileURL(target.path).href);
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
      resolve({ wallMs, ...(JSON.parse(stdout) as Omit<Sample, 'wallMs'>) });
    });
  });

/**
 * Starts every target `rounds` times, interleaved (each round in another rotation), so
 * machine noise hits targets and baselines alike; one unmeasured start of each comes
 * first. Returns the medians.
 *
 * @example
 * const results = await measureColdStarts([{ id: 'empty' }], { rounds: 15, env });
 */
export const measureColdStarts = async (
  targets: readonly ColdTarget[],
  { rounds, env }: { rounds: number; env: NodeJS.ProcessEnv },
): Promise<ColdResult[]> => {
  const samples = new Map<string, Sample[]>();
  for (const target of targets) await startOnce(target, env);
  for (let round = 0; round < rounds; round += 1) {
    const offset = (round * 7) % targets.length;
    const order = [...targets.slice(offset), ...targets.slice(0, offset)];
    if (round % 2 === 1) order.reverse();
    for (const target of order) {
      const sample = await startOnce(target, env);
      samples.set(target.id, [...(samples.get(target.id) ?? []), sample]);
    }
  }
  return targets.map(({ id }) => {
    const list = samples.get(id) ?? [];
    return {
      id,
      wallMs: median(list.map((sample) => sample.wallMs)),
      importMs: median(list.map((sample) => sample.importMs)),
      maxRssMb: median(list.map((sample) => sample.maxRssKb)) / 1024,
      samples: list.map((sample) => sample.wallMs),
    };
  });
};
