import { defineConfig } from 'vitest/config';

/**
 * Root test configuration: every package and app is a vitest project with its own
 * `vitest.config.ts`; `examples` runs the documentation's examples, extracted from the markdown.
 */
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'docs/examples/vitest.config.ts'],
  },
});
