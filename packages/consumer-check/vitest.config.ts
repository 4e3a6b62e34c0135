import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'consumer',
    include: ['test/**/*.test.ts'],
    // Packing, installing from the registry and two compilers take a while: one long suite.
    testTimeout: 240_000,
    hookTimeout: 300_000,
    maxConcurrency: 3,
  },
});
