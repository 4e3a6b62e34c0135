import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'edge',
    // Real nginx and HAProxy start in the hooks: generous bounds for a loaded CI machine.
    hookTimeout: 30_000,
    // Tests wait (bounded) for access log lines and records: room for those waits on a loaded machine.
    testTimeout: 30_000,
    include: ['test/**/*.test.ts'],
  },
});
