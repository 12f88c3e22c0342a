import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseTemplate } from './cfnYaml.ts';

/**
 * Every way a template's functions fail to resolve to a built bundle: the CodeUri
 * folder, the handler's file in it, and the handler's export (read from the esbuild
 * metafile that the build writes to dist/.meta/<name>.json).
 */
export const findHandlerProblems = (
  templatePath: string,
): { functions: string[]; problems: string[] } => {
  const template = parseTemplate(readFileSync(templatePath, 'utf8'));
  const base = dirname(templatePath);
  const globals = template.Globals?.Function ?? {};
  const functions: string[] = [];
  const problems: string[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Serverless::Function') continue;
    functions.push(logicalId);
    const codeUri = resource.Properties?.CodeUri ?? globals.CodeUri;
    const handler = resource.Properties?.Handler ?? globals.Handler;
    if (typeof codeUri !== 'string' || typeof handler !== 'string') {
      problems.push(`${logicalId}: CodeUri and Handler must be plain strings`);
      continue;
    }
    const dot = handler.lastIndexOf('.');
    const [file, exportName] = [handler.slice(0, dot), handler.slice(dot + 1)];
    const dir = resolve(base, codeUri);
    const bundle = ['.mjs', '.js']
      .map((ext) => join(dir, `${file}${ext}`))
      .find((path) => existsSync(path));
    if (dot <= 0 || !bundle) {
      problems.push(`${logicalId}: no bundle ${file}.mjs in ${codeUri} (run the build)`);
      continue;
    }
    const metaPath = join(dirname(dir), '.meta', `${basename(dir)}.json`);
    if (!existsSync(metaPath)) {
      problems.push(`${logicalId}: no metafile ${relative(base, metaPath)} (run the build)`);
      continue;
    }
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as {
      outputs: Record<string, { exports?: string[] }>;
    };
    const output = Object.entries(meta.outputs).find(([path]) => path.endsWith(`/${file}.mjs`));
    if (!output?.[1].exports?.includes(exportName)) {
      problems.push(`${logicalId}: ${relative(base, bundle)} does not export ${exportName}`);
    }
  }
  return { functions, problems };
};

/**
 * The repository's own source files (functions/ and packages/) whose code is in a function's
 * bundle, read from the esbuild metafile that the build writes: what the function can run,
 * not all that its packages hold.
 */
export const bundledSources = (root: string, name: string): string[] => {
  const metaPath = join(root, 'dist', '.meta', `${name}.json`);
  if (!existsSync(metaPath)) throw new Error(`no metafile dist/.meta/${name}.json (run the build)`);
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  return Object.values(meta.outputs)
    .flatMap((output) => Object.entries(output.inputs))
    .filter(
      ([path, input]) => input.bytesInOutput > 0 && /^(functions|packages)\/.*\.ts$/.test(path),
    )
    .map(([path]) => join(root, path));
};
