import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'edge',
    include: ['test/**/*.test.ts'],
  },
});
