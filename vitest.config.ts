import { defineConfig } from 'vitest/config';

/**
 * One project per workspace package (each has its own vitest.config.ts), plus the
 * cross-function suites under test/: integration tests against the emulated account
 * (run serially; the emulator is not thread-safe) and checks of the SAM template
 * against the built bundles.
 */
export default defineConfig({
  test: {
    projects: ['packages/*', 'functions/*', 'test/integration', 'test/template'],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**', 'functions/*/src/**'],
      reporter: ['text-summary', 'json-summary', 'html'],
    },
  },
});
