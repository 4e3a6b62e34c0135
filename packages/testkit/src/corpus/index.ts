/**
 * The adversarial corpus: realistic thrown values from every family an API meets, each with the
 * category every adapter must answer and the substrings that must never reach a client. One
 * table, run by each adapter's suite over real sockets.
 */
import type { CorpusCase } from './types.js';

export { CORPUS } from './cases.js';
export { INSTRUMENTED_CASES } from './instrumented.js';
export { type CorpusCase, type ExpectedCategory, SECRET } from './types.js';

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
export function leaksIn(visible: string, testCase: CorpusCase): string[] {
  return [...testCase.forbidden, ...ALWAYS_FORBIDDEN].filter(
    (fragment) => fragment !== '' && visible.includes(fragment),
  );
}
