import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from './vitest.config.js';

/**
 * The browser suite (`npm run test:browser`): test/browser/, in headless Chromium driven by
 * playwright-core. It needs a Chromium on the machine (CHROMIUM_PATH, default /usr/bin/chromium:
 * Debian's package), so `npm run check` leaves it out; `.ci/run` installs Chromium and runs it.
 */
export default defineConfig({
  test: {
    ...sharedTestOptions,
    include: ['test/browser/**/*.browser.ts'],
    testTimeout: 60_000,
  },
});
