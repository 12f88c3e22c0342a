import type { BuildOptions } from 'esbuild';

/**
 * How every function is bundled (and the benchmark's baselines with it): one ESM file for
 * Node.js 24, minified, names kept for stack traces, source maps without sources.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
  // The AWS SDK is bundled, not taken from the runtime: one tested version, tree-shaken.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  metafile: true as const,
  logLevel: 'warning',
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import{createRequire as __nsRequire}from'node:module';const require=__nsRequire(import.meta.url);",
  },
} satisfies BuildOptions;
