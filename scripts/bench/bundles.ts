import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_OPTIONS } from '../lib/bundleOptions.ts';

export { BUNDLE_OPTIONS };

/** One package's (or Nightshift's own code's) share of a bundle. */
export interface Contributor {
  name: string;
  kb: number;
}

/** What a function's metafile says about its bundle. */
export interface BundleAnalysis {
  name: string;
  kb: number;
  /** Packages by bytes in the output, largest first; Nightshift's own code as one entry. */
  contributors: Contributor[];
  /** Nightshift's own code: the function's src and the workspace packages. */
  ownKb: number;
  /** The AWS SDK exports the bundle really uses, by client package. */
  sdkImports: Record<string, string[]>;
}

const PACKAGE = /node_modules\/(?!\.pnpm\/)((?:@[^/]+\/)?[^/]+)\//;
const OWN_CODE = 'Nightshift code';

const packageOf = (input: string): string => {
  const inner = input.lastIndexOf('node_modules/');
  if (inner >= 0) return PACKAGE.exec(input.slice(inner))?.[1] ?? input;
  return OWN_CODE;
};

const SDK_FILE =
  /node_modules\/(@aws-sdk\/client-[\w-]+)\/dist-es\/(?:(\w+Client)|commands\/(\w+Command)|pagination\/(\w+)Paginator)\.js$/;

/**
 * Reads dist/.meta/<name>.json: bundle size, the largest contributors by package, and the
 * client classes, commands and paginators of the AWS SDK that ended up in the bundle.
 *
 * @example
 * const analysis = analyzeBundle(root, 'log-processor');
 */
export const analyzeBundle = (root: string, name: string): BundleAnalysis => {
  const metafile = JSON.parse(
    readFileSync(join(root, 'dist', '.meta', `${name}.json`), 'utf8'),
  ) as Metafile;
  const output = metafile.outputs[`dist/${name}/index.mjs`];
  if (!output) throw new Error(`dist/.meta/${name}.json has no output dist/${name}/index.mjs`);
  const byPackage = new Map<string, number>();
  const sdkImports: Record<string, string[]> = {};
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    if (bytesInOutput === 0) continue;
    const owner = packageOf(input);
    byPackage.set(owner, (byPackage.get(owner) ?? 0) + bytesInOutput);
    const sdk = SDK_FILE.exec(input);
    if (sdk?.[1]) {
      const exported = sdk[2] ?? sdk[3] ?? (sdk[4] ? `paginate${sdk[4]}` : undefined);
      if (exported) sdkImports[sdk[1]] = [...(sdkImports[sdk[1]] ?? []), exported].sort();
    }
  }
  const contributors = [...byPackage]
    .map(([owner, bytes]) => ({ name: owner, kb: bytes / 1024 }))
    .sort((a, b) => b.kb - a.kb);
  return {
    name,
    kb: statSync(join(root, 'dist', name, 'index.mjs')).size / 1024,
    contributors,
    ownKb: (byPackage.get(OWN_CODE) ?? 0) / 1024,
    sdkImports,
  };
};

/**
 * Bundles `contents` as an entry module with the functions' options into
 * `<outdir>/index.mjs`, resolving packages from `resolveDir`; returns its size.
 *
 * @example
 * const { path, kb } = await bundleEntry({ contents: "export {SNSClient} from '@aws-sdk/client-sns'", resolveDir, outdir });
 */
export const bundleEntry = async ({
  contents,
  resolveDir,
  outdir,
}: {
  contents: string;
  resolveDir: string;
  outdir: string;
}): Promise<{ path: string; kb: number }> => {
  const path = join(outdir, 'index.mjs');
  await build({
    ...BUNDLE_OPTIONS,
    stdin: { contents, resolveDir, loader: 'js', sourcefile: 'entry.js' },
    outfile: path,
  });
  return { path, kb: statSync(path).size / 1024 };
};

/**
 * The entry of a function's SDK-only floor: re-exports exactly the clients, commands and
 * paginators its bundle uses, so nothing of them is tree-shaken away and nothing else is in.
 *
 * @example
 * floorEntry({ '@aws-sdk/client-sns': ['PublishCommand', 'SNSClient'] });
 */
export const floorEntry = (sdkImports: Record<string, string[]>): string =>
  Object.entries(sdkImports)
    .map(
      ([pkg, names], index) =>
        // Aliased: two clients may both have a command of the same name (DeleteTagsCommand).
        `export { ${names.map((name) => `${name} as s${index}_${name}`).join(', ')} } from '${pkg}';`,
    )
    .join('\n');

/** The same small schema in each validator build, parsing the same value. */
const VALIDATOR_SCHEMA = `
const Event = z.object({
  action: z.enum(['scale_down', 'scale_up', 'check']),
  environment: z.string(),
  dryRun: z.optional(z.boolean()),
  retentionDays: z.optional(z.int()),
});
export const parse = (input) => Event.parse(input);
`;

/** Entry modules for the validator comparison: none, zod/mini, full zod. */
export const VALIDATOR_ENTRIES: Record<string, string> = {
  'no validator': 'export const parse = (input) => input;',
  'zod/mini': `import * as z from 'zod/mini';${VALIDATOR_SCHEMA}`,
  'zod (full)': `import * as z from 'zod';${VALIDATOR_SCHEMA}`,
};

/**
 * Rebuilds a function's handler with `BUNDLE_OPTIONS` and compares the result with
 * dist/<name>/index.mjs byte for byte: the baselines are only fair if it matches.
 *
 * @example
 * await checkOptionsMatchBuild(root, 'log-processor', tmp); // true
 */
export const checkOptionsMatchBuild = async (
  root: string,
  name: string,
  outdir: string,
): Promise<boolean> => {
  const path = join(outdir, 'index.mjs');
  await build({
    ...BUNDLE_OPTIONS,
    absWorkingDir: root,
    entryPoints: [join(root, 'functions', name, 'src/handler.ts')],
    outfile: path,
  });
  return readFileSync(path).equals(readFileSync(join(root, 'dist', name, 'index.mjs')));
};

/**
 * Builds a function's handler with the full zod build wherever it imports `zod/mini`
 * (the two share their functional API; the checks `minimum`/`maximum` are `gte`/`lte`
 * there), to price the choice of validator on the real function.
 *
 * @example
 * const { kb, warnings } = await bundleWithFullZod(root, 'log-processor', tmp);
 */
export const bundleWithFullZod = async (
  root: string,
  name: string,
  outdir: string,
): Promise<{ path: string; kb: number; warnings: string[] }> => {
  const path = join(outdir, 'index.mjs');
  const result = await build({
    ...BUNDLE_OPTIONS,
    logLevel: 'silent',
    absWorkingDir: root,
    entryPoints: [join(root, 'functions', name, 'src/handler.ts')],
    outfile: path,
    plugins: [
      {
        name: 'full-zod',
        setup(plugin) {
          plugin.onResolve({ filter: /^zod\/mini$/ }, (args) => ({
            path: args.resolveDir,
            namespace: 'full-zod',
          }));
          plugin.onLoad({ filter: /.*/, namespace: 'full-zod' }, (args) => ({
            contents: "export * from 'zod';\nexport { gte as minimum, lte as maximum } from 'zod';",
            resolveDir: args.path,
            loader: 'js',
          }));
        },
      },
    ],
  });
  return {
    path,
    kb: statSync(path).size / 1024,
    warnings: result.warnings.map((warning) => warning.text),
  };
};
