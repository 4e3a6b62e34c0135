import { defineProject } from 'vitest/config';
import shared, { isolated } from './vitest.config.ts';

/** The files of `isolated`, each with a fresh module graph (vitest's default). */
export default defineProject({
  ...shared,
  test: { ...shared.test, name: 'express-isolated', include: isolated, exclude: [], isolate: true },
});
