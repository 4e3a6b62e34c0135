import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'probe',
    include: ['test/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Tests marked concurrent run child probes and servers: at most three at once on a two-core machine.
    maxConcurrency: 3,
  },
});
