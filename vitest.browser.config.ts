import { defineConfig } from 'vitest/config';

// `npm run test:browser`: pages in a real Chromium (test/browser/), apart from `npm test`.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
