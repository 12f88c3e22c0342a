import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './stats.ts';

/** Line lengths measured, in KB (1,024 characters). */
export const LINE_SIZES_KB = [1, 4, 16, 64, 256] as const;

/**
 * The inputs that cost a backtracking classifier the most, as the unit each line repeats:
 * one long word of "Error"s (every "Error" in it ends a capitalised word, or would, to a
 * look-behind), error words with spaces, a lower-case word ending in "Error" over and over,
 * and a run of capitals without a space (the longest word there is to read).
 */
export const WORST_LINES: readonly { name: string; unit: string }[] = [
  { name: '`ErrorErrorError…`', unit: 'Error' },
  { name: '`error error …`', unit: 'error ' },
  { name: '`xErrorxError…`', unit: 'xError' },
  { name: '`AAAA…` (no space)', unit: 'A' },
];

/** How the classifier is built for a measurement. */
export type ClassifierMode = 'shipped' | 'uncapped';

/** One input at one length: the median time of one classification, and per KB. */
export interface LineTiming {
  input: string;
  mode: ClassifierMode;
  kb: number;
  msPerLine: number;
  usPerKb: number;
  severity: string;
}

// One process, nothing else loaded: the classifier module the bundle is built from, with
// the default patterns, as shipped (the first 8 KB of a line) and with no cut at all (the
// patterns alone). Rounds go over every input and length in turn, so a slow moment of the
// machine weighs on all alike; each round calls the classifier until roundMs have passed.
const WORKER = `
import { readFileSync, writeFileSync } from 'node:fs';
const [specFile, outFile] = process.argv.slice(1);
const { moduleUrl, inputs, sizesKb, rounds, roundMs, warmup } = JSON.parse(readFileSync(specFile, 'utf8'));
const { createClassifier, DEFAULT_CRITICAL_PATTERNS, DEFAULT_ERROR_PATTERNS } = await import(moduleUrl);
const patterns = { critical: DEFAULT_CRITICAL_PATTERNS, error: DEFAULT_ERROR_PATTERNS };
const classifiers = {
  shipped: createClassifier(patterns),
  uncapped: createClassifier({ ...patterns, maxLength: Number.POSITIVE_INFINITY }),
};
const cells = [];
for (const mode of Object.keys(classifiers)) {
  for (const input of inputs) {
    for (const kb of sizesKb) {
      const length = kb * 1024;
      const line = input.unit.repeat(Math.ceil(length / input.unit.length)).slice(0, length);
      cells.push({ mode, input: input.name, kb, line, samples: [], severity: '' });
    }
  }
}
for (const cell of cells) {
  for (let i = 0; i < warmup; i += 1) cell.severity = classifiers[cell.mode].classify(cell.line);
}
for (let round = 0; round < rounds; round += 1) {
  for (const cell of cells) {
    const classifier = classifiers[cell.mode];
    let calls = 0;
    const started = performance.now();
    let elapsed = 0;
    do {
      cell.severity = classifier.classify(cell.line);
      calls += 1;
      elapsed = performance.now() - started;
    } while (elapsed < roundMs);
    cell.samples.push(elapsed / calls);
  }
}
writeFileSync(outFile, JSON.stringify(cells.map(({ line, ...cell }) => cell)));
`;

/**
 * Times the classification of the worst lines at every length, as shipped and without the
 * cut, in a fresh process: the median over `rounds` of the time of one call.
 *
 * @example
 * const timings = await measureLineClassification(root, { rounds: 7 });
 */
export const measureLineClassification = async (
  root: string,
  {
    rounds,
    roundMs = 10,
    warmup = 2,
    sizesKb = LINE_SIZES_KB,
    inputs = WORST_LINES,
  }: {
    rounds: number;
    roundMs?: number;
    warmup?: number;
    sizesKb?: readonly number[];
    inputs?: readonly { name: string; unit: string }[];
  },
): Promise<LineTiming[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-bench-lines-'));
  const specFile = join(dir, 'spec.json');
  const outFile = join(dir, 'outcome.json');
  const moduleUrl = pathToFileURL(join(root, 'functions/log-processor/src/classify.ts')).href;
  writeFileSync(specFile, JSON.stringify({ moduleUrl, inputs, sizesKb, rounds, roundMs, warmup }));
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--input-type=module', '-e', WORKER, specFile, outFile],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let output = '';
        child.stderr.on('data', (chunk: Buffer) => {
          output += chunk.toString();
        });
        child.once('error', reject);
        child.once('close', (exitCode) => resolve({ code: exitCode, output }));
      },
    );
    if (code !== 0)
      throw new Error(`the line classification worker exited with ${code}:\n${output}`);
    const cells = JSON.parse(readFileSync(outFile, 'utf8')) as {
      mode: ClassifierMode;
      input: string;
      kb: number;
      samples: number[];
      severity: string;
    }[];
    return cells.map(({ samples, ...cell }) => {
      const msPerLine = median(samples);
      return { ...cell, msPerLine, usPerKb: (msPerLine * 1000) / cell.kb };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** Flat: at no length is the time per KB more than this multiple of the 1 KB line's. */
export const FLATNESS_TARGET = 2;

/**
 * For each input and mode, the largest time per KB at any length over the 1 KB line's:
 * 1 when the time grows in step with the line, about n at n KB when it grows with its square.
 *
 * @example
 * const worst = flatness(timings).filter((row) => row.mode === 'shipped');
 */
export const flatness = (timings: readonly LineTiming[]) => {
  const groups = new Map<string, LineTiming[]>();
  for (const timing of timings) {
    const key = `${timing.mode}\u0000${timing.input}`;
    groups.set(key, [...(groups.get(key) ?? []), timing]);
  }
  return [...groups.values()].map((group) => {
    const first = group.reduce((low, timing) => (timing.kb < low.kb ? timing : low));
    const worst = group.reduce((high, timing) => (timing.usPerKb > high.usPerKb ? timing : high));
    const ratio = worst.usPerKb / first.usPerKb;
    return {
      mode: first.mode,
      input: first.input,
      ratio,
      worstKb: worst.kb,
      met: ratio <= FLATNESS_TARGET,
    };
  });
};
