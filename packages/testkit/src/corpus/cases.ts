/** Every case of the corpus, family by family, in one stable order. */
import { CLIENT_INPUT_CASES } from './client-input.js';
import { HOSTILE_CASES } from './hostile.js';
import { NETWORK_CASES } from './network.js';
import { NOSQL_CASES } from './nosql.js';
import { SQL_CASES } from './sql.js';
import type { CorpusCase } from './types.js';

/** Every case, in a stable order. */
export const CORPUS: readonly CorpusCase[] = [
  ...SQL_CASES,
  ...NOSQL_CASES,
  ...NETWORK_CASES,
  ...CLIENT_INPUT_CASES,
  ...HOSTILE_CASES,
];
