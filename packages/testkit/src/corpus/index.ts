/**
 * The adversarial corpus: realistic thrown values from every family an API meets, each with the
 * category every adapter must answer and the substrings that must never reach a client. One
 * table, run by each adapter's suite over real sockets.
 */
import { CLIENT_INPUT_CASES } from './client-input.js';
import { DATA_LAYER_CASES } from './data-layer.js';
import { HOSTILE_CASES } from './hostile.js';
import { NETWORK_CASES } from './network.js';
import type { CorpusCase } from './types.js';

export { INSTRUMENTED_CASES } from './instrumented.js';
export { type CorpusCase, type ExpectedCategory, SECRET } from './types.js';

/** Every case, in a stable order. */
export const CORPUS: readonly CorpusCase[] = [
  ...DATA_LAYER_CASES,
  ...NETWORK_CASES,
  ...CLIENT_INPUT_CASES,
  ...HOSTILE_CASES,
];

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
