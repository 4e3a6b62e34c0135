import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'core',
    include: ['test/**/*.test.ts'],
  },
});
