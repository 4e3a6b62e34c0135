import { defineConfig } from 'vitest/config';

/** Root test configuration: every package and app is a vitest project with its own `vitest.config.ts`. */
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts'],
  },
});
