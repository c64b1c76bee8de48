import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The small bundles the suite shares, trained once per run when a file asks (helpers/bundles.ts).
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Pages in a real browser run apart: npm run test:browser (vitest.browser.config.ts).
    projects: [
      {
        // test/unit mirrors src/ and runs modules in-process. One fork runs file after file
        // (no isolation between them): each file sets the backend it needs, and a fresh fork
        // per file would load tfjs again each time.
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // test/e2e runs the built CLI (bin/lstm.js → dist/) as processes, in temp dirs; the
        // files share their fork too (what they load in-process is small and stateless).
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
