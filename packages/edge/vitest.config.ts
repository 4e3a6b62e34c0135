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
    // Files share their worker's loaded modules: a fresh module graph per file cost the suite
    // 367 s of its 600 s on two cores (packages with files that need one list them in `isolated`).
    isolate: false,
  },
});
