import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// The unit tests of one workspace package, for mutation testing of its modules
// (scripts/mutation.ts sets NS_MUTATION_PACKAGE to the package's folder).
const root = import.meta.dirname;
const dir = process.env.NS_MUTATION_PACKAGE;
if (!dir)
  throw new Error('NS_MUTATION_PACKAGE must name a package folder, e.g. functions/infra-scaler');

export default defineConfig({
  test: {
    root: resolve(root, dir),
    include: ['test/**/*.test.ts'],
    setupFiles: [resolve(root, 'test/setup/unit.ts')],
    unstubEnvs: true,
  },
});
