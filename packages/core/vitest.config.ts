import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'core',
    include: ['test/**/*.test.ts'],
    // Two test files run at once (vitest.workspace.ts): certificate generation and real drains slow
    // down under that load, so the bounds are wider than vitest's defaults (5 s and 10 s).
    testTimeout: 15_000,
    hookTimeout: 30_000,
  },
});
