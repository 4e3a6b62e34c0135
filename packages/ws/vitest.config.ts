import { configDefaults, defineProject } from 'vitest/config';

/**
 * Test files that need a fresh module graph, run by `vitest.isolated.config.ts`: they change
 * state the whole process shares (OpenTelemetry's global providers, instrumentations that must load before the HTTP server).
 */
export const isolated = ['test/id-triangle.test.ts', 'test/otel-spans.test.ts'];

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'ws',
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...isolated],
    // Files share their worker's loaded modules (a fresh module graph per file cost the suite
    // 367 s of its 600 s on two cores); what needs a fresh one is listed in `isolated`.
    isolate: false,
    // Two files run at once (vitest.workspace.ts): wider bounds than vitest's 5 s and 10 s.
    testTimeout: 15_000,
    hookTimeout: 30_000,
  },
});
