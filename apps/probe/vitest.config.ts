import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'probe',
    include: ['test/**/*.test.ts'],
    // Files share their worker's loaded modules: a fresh module graph per file cost the suite
    // 367 s of its 600 s on two cores (packages with files that need one list them in `isolated`).
    isolate: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Tests marked concurrent run child probes and servers: at most three at once on a two-core machine.
    maxConcurrency: 3,
  },
});
