import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_OPTIONS } from '../lib/bundleOptions.ts';

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
