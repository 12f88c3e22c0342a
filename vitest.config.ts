import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { listFunctions } from './scripts/lib/functions.ts';

const root = import.meta.dirname;
// Every package under packages/, and every function of the list.
const workspaceDirs = [
  ...(existsSync(resolve(root, 'packages'))
    ? readdirSync(resolve(root, 'packages'), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `packages/${entry.name}`)
    : []),
  ...listFunctions(root).map((fn) => `functions/${fn.name}`),
];

/** One unit-test project per workspace package: its own `test/` folder, no network. */
const unitProjects: TestProjectInlineConfiguration[] = workspaceDirs.map((dir) => ({
  test: {
    name: `@nightshift/${dir.split('/')[1]}`,
    root: resolve(root, dir),
    include: ['test/**/*.test.ts'],
    setupFiles: [resolve(root, 'test/setup/unit.ts')],
    unstubEnvs: true,
  },
}));

export default defineConfig({
  test: {
    projects: [
      ...unitProjects,
      {
        // The real handlers against the emulated account. One moto server for the run,
        // reset before each test; serial, because moto is not thread-safe.
        test: {
          name: 'integration',
          root: resolve(root, 'test/integration'),
          include: ['**/*.test.ts'],
          globalSetup: [resolve(root, 'test/setup/moto.ts')],
          setupFiles: [resolve(root, 'test/setup/integration.ts')],
          fileParallelism: false,
          maxWorkers: 1,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          unstubEnvs: true,
        },
      },
      {
        // The project's own tools (invoke).
        test: { name: 'tools', root: resolve(root, 'test/tools'), include: ['**/*.test.ts'] },
      },
      {
        // The SAM template against the built bundles (run after the build).
        test: {
          name: 'template',
          root: resolve(root, 'test/template'),
          include: ['**/*.test.ts'],
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**', 'functions/*/src/**'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: resolve(root, 'coverage'),
    },
  },
});
