import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Root test configuration: every package and app is a vitest project with its own
 * `vitest.config.ts`; `examples` runs the documentation's examples, extracted from the markdown.
 */
export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: on the 2-core CI machine, one file at a
    // time. Two workers there: the suite ran in 351 s instead of 445 s (and green) on a loaded machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Each package's files share their worker's modules; the few that need a fresh module graph
    // run in the package's second project, `vitest.isolated.config.ts` (`<name>-isolated`).
    projects: [
      'packages/*/vitest.config.ts',
      'packages/*/vitest.isolated.config.ts',
      'apps/*/vitest.config.ts',
      'docs/examples/vitest.config.ts',
    ],
  },
});
