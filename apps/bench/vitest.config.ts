import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'bench',
    include: ['test/**/*.test.ts'],
  },
});
