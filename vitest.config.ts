import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { chromiumPath, CHROMIUM_ARGS } from './scripts/chromium.ts';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        // The browser extension's state and background logic, with WXT's fake browser APIs.
        plugins: [WxtVitest()],
        test: {
          name: 'extension',
          environment: 'node',
          include: ['test/extension/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        // The built extension (.output/chrome-mv3) in headless Chromium; `wxt build` first.
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // No test is retried: a slow browser start is retried in the harness (launchExtension), a real
          // defect fails.
        },
      },
      {
        test: {
          name: 'unit',
          environment: 'node',
          setupFiles: ['test/setup/fast-check.ts'],
          // Hooks start real servers (Redis, two instances, an OpenID provider) on a busy 2-core machine:
          // each start is bounded by its own timeout; this is the outer bound.
          hookTimeout: 60_000,
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['test/**/*.browser.test.ts', 'test/e2e/**', 'test/extension/**', 'node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/**/*.browser.test.ts'],
          // A real HTTP server for the widgets' `src` tests (slow, 404, invalid JSON, huge, wrong version).
          globalSetup: ['test/widgets/global-setup.ts'],
          testTimeout: 30_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS },
            }),
            instances: [{ browser: 'chromium' }],
            screenshotFailures: false,
          },
        },
      },
    ],
  },
});
