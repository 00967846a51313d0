import { defineConfig, mergeConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import viteConfig from './vite.config.ts';
import { CHROMIUM_ARGS, CHROMIUM_ARGS_HARDWARE, findChromium } from './scripts/chromium.ts';

// QW_GPU=hardware lets Chromium pick a real GPU instead of SwiftShader.
const chromiumArgs = process.env['QW_GPU'] === 'hardware' ? CHROMIUM_ARGS_HARDWARE : CHROMIUM_ARGS;

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            include: ['tests/unit/**/*.test.ts'],
            environment: 'node',
            testTimeout: 60_000,
          },
        },
        {
          extends: true,
          test: {
            name: 'gpu',
            include: ['tests/gpu/**/*.test.ts'],
            // SwiftShader is slow: one browser, tests in sequence, generous timeouts.
            testTimeout: 120_000,
            fileParallelism: false,
            browser: {
              enabled: true,
              headless: true,
              screenshotFailures: false,
              provider: playwright({
                launchOptions: {
                  executablePath: findChromium() ?? '/usr/bin/chromium',
                  args: [...chromiumArgs],
                },
              }),
              instances: [{ browser: 'chromium' }],
            },
          },
        },
        {
          extends: true,
          test: {
            name: 'e2e',
            include: ['tests/e2e/**/*.test.ts'],
            environment: 'node',
            testTimeout: 180_000,
            hookTimeout: 180_000,
            fileParallelism: false,
          },
        },
      ],
    },
  }),
);
