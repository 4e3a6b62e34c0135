/**
 * The adversarial corpus: realistic thrown values from every family an API meets, each with the
 * category every adapter must answer and the substrings that must never reach a client. One
 * table, run by each adapter's suite over real sockets. Beside it, the extreme values of the
 * red-team suites and the checks they share.
 */
export { CORPUS } from './cases.js';
export {
  EXTREME_DSN,
  EXTREME_TEXT,
  EXTREME_VALUES,
  type ExtremeValue,
  makeExtreme,
  REDACTABLE_SECRET,
} from './extreme.js';
export {
  EXTREME_FORBIDDEN,
  extremeLeaks,
  type HttpAnswer,
  httpAnswerProblems,
  problemsByStyle,
  recordProblems,
  UUID_V4,
} from './extreme-checks.js';
export { INSTRUMENTED_CASES } from './instrumented.js';
export { ALWAYS_FORBIDDEN, leaksIn } from './leaks.js';
export { LIBRARY_FORBIDDEN, LIBRARY_VALUES, REAL_WORLD_CORPORA, REAL_WORLD_VALUES } from './libraries.js';
export { NATIVE_FORBIDDEN, NATIVE_VALUES, type NativeValue, prepareNativeValues } from './native.js';
export { nativeHttpProblems, nativeLeaks, nativeRecordProblems } from './native-checks.js';
export { ROUND10_FORGED_ID, type Round10Kit, round10Kit } from './round10.js';
export {
  ROUND10_HTTP_NAMES,
  ROUND10_HTTP_SECRET,
  ROUND10_HTTP_VALUES,
  type Round10HttpValue,
  round10HttpAt,
  round10HttpLeaks,
} from './round10-http.js';
export { type CorpusCase, type ExpectedCategory, SECRET } from './types.js';
