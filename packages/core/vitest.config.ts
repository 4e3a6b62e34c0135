import { configDefaults, defineProject } from 'vitest/config';

/**
 * Test files that need a fresh module graph, run by `vitest.isolated.config.ts`: they change
 * state the whole process shares (OpenTelemetry's global providers, a mocked `node:fs`).
 */
export const isolated = [
  'test/fd-sink-writev.test.ts',
  'test/otel-api.test.ts',
  'test/otel-exception-type.test.ts',
  'test/otel-logs-late.test.ts',
  'test/otel-own-span.test.ts',
  'test/reporter-otel-worker.test.ts',
  'test/telemetry.test.ts',
];

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'core',
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...isolated],
    // Files share their worker's loaded modules (a fresh module graph per file cost the suite
    // 367 s of its 600 s on two cores); what needs a fresh one is listed in `isolated`.
    isolate: false,
    // Two test files run at once (vitest.workspace.ts): certificate generation and real drains slow
    // down under that load, so the bounds are wider than vitest's defaults (5 s and 10 s).
    testTimeout: 15_000,
    hookTimeout: 30_000,
  },
});
