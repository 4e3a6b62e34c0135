import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'bench',
    include: ['test/**/*.test.ts'],
    // Two files run at once (vitest.workspace.ts): wider bounds than vitest's 5 s and 10 s.
    testTimeout: 15_000,
    hookTimeout: 30_000,
  },
});
