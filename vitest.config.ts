import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // test/unit mirrors src/ and runs modules in-process; test/e2e runs the built CLI as processes.
    // Pages in a real browser run apart: npm run test:browser (vitest.browser.config.ts).
    include: ['test/unit/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    // The small bundles the suite shares, trained once per run (helpers/bundles.ts).
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // tfjs and the wasm backend are heavy to load; forks keep backends isolated per file.
    pool: 'forks',
    maxWorkers: 2,
  },
});
