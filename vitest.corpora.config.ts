import { configDefaults, defineConfig } from 'vitest/config';
import { sharedTestOptions } from './vitest.config.js';

/** The corpus suite (`npm run test:corpora`): only test/corpora/, reading REAMAZE_CORPORA (default ../shared/corpora). */
export default defineConfig({
  test: {
    ...sharedTestOptions,
    // The corpora are looked for first, so a missing folder stops the suite with one message.
    globalSetup: ['test/corpora/global-setup.ts', ...sharedTestOptions.globalSetup],
    include: ['test/corpora/**/*.test.ts'],
    exclude: configDefaults.exclude,
  },
});
