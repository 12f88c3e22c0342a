// Bundles every function of the list (scripts/lib/functions.ts) into
// dist/<name>/index.mjs, the way Lambda loads it, writes esbuild's metafile to
// dist/.meta/<name>.json, and prints a size table.
//   node scripts/build.ts [name ...]
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS } from './lib/bundleOptions.ts';
import { listFunctions } from './lib/functions.ts';

const root = resolve(import.meta.dirname, '..');
const functionsDir = join(root, 'functions');
const only = process.argv.slice(2);
const functions = listFunctions(root).map((fn) => fn.name);
const names = functions.filter((name) => only.length === 0 || only.includes(name));

const unknown = only.filter((name) => !functions.includes(name));
if (unknown.length > 0) {
  console.error(
    `build: no function named ${unknown.join(', ')}; there are ${functions.join(', ')}`,
  );
  process.exit(1);
}

const rows: { name: string; kb: number; inputs: number }[] = [];
for (const name of names) {
  const outdir = join(root, 'dist', name);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    ...BUNDLE_OPTIONS,
    entryPoints: [join(functionsDir, name, 'src/handler.ts')],
    outfile: join(outdir, 'index.mjs'),
  });
  // The metafile stays out of the function's folder, which is what gets deployed; a
  // package.json lets `sam build` take the folder as it is (no dependencies to install).
  mkdirSync(join(root, 'dist', '.meta'), { recursive: true });
  writeFileSync(join(root, 'dist', '.meta', `${name}.json`), JSON.stringify(result.metafile));
  writeFileSync(
    join(outdir, 'package.json'),
    `${JSON.stringify({ name: `nightshift-${name}`, version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  rows.push({
    name,
    kb: statSync(join(outdir, 'index.mjs')).size / 1024,
    inputs: Object.keys(result.metafile.inputs).length,
  });
}

if (rows.length === 0) {
  console.log('build: no functions to bundle');
} else {
  const width = Math.max(...rows.map((row) => row.name.length), 'function'.length);
  console.log(`${'function'.padEnd(width)}  ${'bundle KB'.padStart(10)}  ${'modules'.padStart(7)}`);
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(width)}  ${row.kb.toFixed(1).padStart(10)}  ${String(row.inputs).padStart(7)}`,
    );
  }
}
