import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'fastify',
    include: ['test/**/*.test.ts'],
  },
});
