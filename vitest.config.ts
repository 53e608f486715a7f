import { configDefaults, defineConfig } from 'vitest/config';

/** What both suites share: dist/ is built once before the tests; subprocess tests need the time. */
export const sharedTestOptions = {
  globalSetup: ['test/helpers/global-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 30_000,
};

export default defineConfig({
  test: {
    ...sharedTestOptions,
    include: ['test/**/*.test.ts'],
    // The corpus suite needs ../shared/corpora, which a plain clone lacks: vitest.corpora.config.ts runs it.
    exclude: [...configDefaults.exclude, 'test/corpora/**'],
  },
});
