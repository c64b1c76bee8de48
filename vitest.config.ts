import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Pages in a real browser run apart: npm run test:browser (vitest.browser.config.ts).
    exclude: ['test/browser/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // tfjs and the wasm backend are heavy to load; forks keep backends isolated per file.
    pool: 'forks',
    maxWorkers: 2,
  },
});
