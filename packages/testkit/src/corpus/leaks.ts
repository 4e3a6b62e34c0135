/** Finding leaks: the fragments no client may read, whatever the thrown value. */
import type { CorpusCase } from './types.js';

/** Text fragments that indicate a leak whatever the case (stack frames, paths, driver words). */
export const ALWAYS_FORBIDDEN: readonly string[] = [
  '    at ',
  'node:internal',
  '/srv/',
  'node_modules',
  '.ts:',
  '.js:',
];

/**
 * The leaks in `visible` (everything a client could read, concatenated): the case's own forbidden
 * substrings and {@link ALWAYS_FORBIDDEN}. Empty when clean.
 */
export function leaksIn(visible: string, testCase: Pick<CorpusCase, 'forbidden'>): string[] {
  return [...testCase.forbidden, ...ALWAYS_FORBIDDEN].filter(
    (fragment) => fragment !== '' && visible.includes(fragment),
  );
}
