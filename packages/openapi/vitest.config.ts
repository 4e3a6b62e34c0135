import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'openapi',
    include: ['test/**/*.test.ts'],
  },
});
