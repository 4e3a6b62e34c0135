import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'consumer',
    include: ['test/**/*.test.ts'],
    // Files share their worker's loaded modules: a fresh module graph per file cost the suite
    // 367 s of its 600 s on two cores (packages with files that need one list them in `isolated`).
    isolate: false,
    // Packing, installing from the registry and two compilers take a while: one long suite.
    testTimeout: 240_000,
    hookTimeout: 300_000,
    maxConcurrency: 3,
  },
});
