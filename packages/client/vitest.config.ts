import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'client',
    include: ['test/**/*.test.ts'],
  },
});
