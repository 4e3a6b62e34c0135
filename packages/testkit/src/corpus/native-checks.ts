/**
 * The checks every adapter's native-errors suite shares: what a client read of a Node error, and
 * the log record under the id it got.
 */
import { until } from '../polling.js';
import { recordFor } from '../records.js';
import { type HttpAnswer, UUID_V4 } from './extreme-checks.js';
import { REDACTABLE_SECRET } from './extreme-text.js';
import { leaksIn } from './leaks.js';
import { NATIVE_FORBIDDEN, type NativeValue } from './native.js';

/**
 * The `forbidden` ({@link NATIVE_FORBIDDEN} unless given, e.g. `LIBRARY_FORBIDDEN`) and
 * `ALWAYS_FORBIDDEN` fragments in `visible`; empty when clean.
 */
export function nativeLeaks(visible: string, forbidden: readonly string[] = NATIVE_FORBIDDEN): string[] {
  return leaksIn(visible, { forbidden });
}

/**
 * What is wrong with the record of `id` for `native` (empty when right): missing, dropping one of
 * the `keep` substrings (code, syscall: what an operator needs), or carrying the redactable secret.
 */
export function nativeRecordProblems(
  records: readonly Record<string, unknown>[],
  id: string | undefined,
  native: NativeValue,
): string[] {
  const record = recordFor(records, id);
  if (record === undefined) return [`no record for ${id}`];
  const line = JSON.stringify(record);
  return [
    ...native.keep.filter((kept) => !line.includes(kept)).map((kept) => `record lost ${kept}`),
    line.includes(REDACTABLE_SECRET) ? 'record leaks the redactable secret' : '',
  ].filter((p) => p !== '');
}

/**
 * What is wrong with the problem-JSON `response` to `native` (empty when right), once the record
 * of its id was written (at most 2 s): a status or `detail` other than `expected`'s, an id that is
 * no UUID v4 or differs from X-Request-ID, any {@link nativeLeaks} of `forbidden` in headers or
 * body, and the {@link nativeRecordProblems} of its id.
 */
export async function nativeHttpProblems(
  response: Response,
  native: NativeValue,
  records: readonly Record<string, unknown>[],
  expected: { readonly http: number; readonly message: string },
  forbidden: readonly string[] = NATIVE_FORBIDDEN,
): Promise<string[]> {
  const answer = {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  };
  await until(() => recordFor(records, answer.headers['x-request-id']) !== undefined).catch(() => undefined);
  return answerProblems(answer, native, records, expected, forbidden);
}

function answerProblems(
  answer: HttpAnswer,
  native: NativeValue,
  records: readonly Record<string, unknown>[],
  expected: { readonly http: number; readonly message: string },
  forbidden: readonly string[],
): string[] {
  let body: { detail?: string; request_id?: string } = {};
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {}
  const id = answer.headers['x-request-id'];
  return [
    answer.status === expected.http ? '' : `status ${answer.status}`,
    body.detail === expected.message ? '' : `detail ${String(body.detail).slice(0, 80)}`,
    UUID_V4.test(id ?? '') && body.request_id === id ? '' : 'id',
    ...nativeLeaks(`${JSON.stringify(answer.headers)}\n${answer.body}`, forbidden).map((s) => `leaks ${s}`),
    ...nativeRecordProblems(records, id, native),
  ].filter((p) => p !== '');
}
