import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'ws',
    include: ['test/**/*.test.ts'],
  },
});
