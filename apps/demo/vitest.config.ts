import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'demo',
    include: ['test/**/*.test.ts'],
  },
});
