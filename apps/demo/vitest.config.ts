import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'demo',
    include: ['test/**/*.test.ts'],
    // Files share their worker's loaded modules: a fresh module graph per file cost the suite
    // 367 s of its 600 s on two cores (packages with files that need one list them in `isolated`).
    isolate: false,
    // Two files run at once (vitest.workspace.ts): wider bounds than vitest's 5 s and 10 s.
    testTimeout: 15_000,
    hookTimeout: 30_000,
  },
});
