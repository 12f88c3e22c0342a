// The layering rule of the repository, as a check: a function never imports another
// function, and packages never import functions. What two functions share moves to packages/.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** One import that crosses a boundary. */
export interface Violation {
  file: string;
  specifier: string;
  rule: string;
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\b[^'"`]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

/**
 * The module specifiers a TypeScript source imports or re-exports (static and dynamic).
 *
 * @example
 * importsOf("import { x } from '../src/a.ts';"); // ['../src/a.ts']
 */
export const importsOf = (source: string): string[] =>
  [...source.matchAll(IMPORT)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');

/** `functions/<name>` or `packages/<name>` of a repository-relative path. */
const layerOf = (path: string): { layer: string; name: string } | undefined => {
  const [layer, name] = path.split(sep);
  return (layer === 'functions' || layer === 'packages') && name ? { layer, name } : undefined;
};

/**
 * The boundary an import from `file` crosses, if any.
 *
 * @example
 * crossing(root, 'functions/a/src/x.ts', '../../b/src/y.ts', ['a', 'b']); // 'a function imports another function'
 */
export const crossing = (
  root: string,
  file: string,
  specifier: string,
  functionNames: readonly string[],
): string | undefined => {
  const from = layerOf(file);
  if (!from) return undefined;
  let target: { layer: string; name: string } | undefined;
  if (specifier.startsWith('.')) {
    target = layerOf(relative(root, resolve(root, dirname(file), specifier)));
  } else {
    const scoped = /^@nightshift\/([^/]+)/.exec(specifier)?.[1];
    if (scoped)
      target = { layer: functionNames.includes(scoped) ? 'functions' : 'packages', name: scoped };
  }
  if (target?.layer !== 'functions' || target.name === from.name) return undefined;
  return from.layer === 'functions'
    ? 'a function imports another function'
    : 'a package imports a function';
};

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [path] : [];
  });

/**
 * Every import under functions/ and packages/ that crosses a boundary.
 *
 * @example
 * findViolations(root, listFunctions(root).map((fn) => fn.name)); // []
 */
export const findViolations = (root: string, functionNames: readonly string[]): Violation[] =>
  ['functions', 'packages'].flatMap((layer) =>
    sources(join(root, layer)).flatMap((path) => {
      const file = relative(root, path);
      return importsOf(readFileSync(path, 'utf8')).flatMap((specifier) => {
        const rule = crossing(root, file, specifier, functionNames);
        return rule ? [{ file, specifier, rule }] : [];
      });
    }),
  );
