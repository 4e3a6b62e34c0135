import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@faultline/source'] },
  test: {
    name: 'grpc',
    include: ['test/**/*.test.ts'],
  },
});
