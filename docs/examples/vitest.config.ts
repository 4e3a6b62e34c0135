import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'examples',
    include: ['test/**/*.test.ts'],
    // Files share their worker's loaded modules: a fresh module graph per file cost the suite
    // 367 s of its 600 s on two cores (packages with files that need one list them in `isolated`).
    isolate: false,
    globalSetup: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
