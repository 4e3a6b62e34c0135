/**
 * The checks the red-team suites share: what no client may read of an extreme value, the log
 * record under a client's id, and a problem-JSON HTTP answer as a whole.
 */
import { recordFor } from '../records.js';
import { REDACTABLE_SECRET } from './extreme-text.js';
import { leaksIn } from './leaks.js';
import { SECRET } from './types.js';

/** What no client may read of an extreme value (besides {@link ALWAYS_FORBIDDEN}, which {@link extremeLeaks} adds). */
export const EXTREME_FORBIDDEN: readonly string[] = [
  SECRET,
  REDACTABLE_SECRET,
  'users_private',
  'db.internal',
  '10.0.0.7',
  'postgres://',
  'mongodb://',
  'SELECT',
  'Bearer',
  'AxiosError',
  'Prisma',
  'Mongo',
  'orders_private',
];

/** A version 4 UUID, as every correlation id must be. */
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The fragments of {@link EXTREME_FORBIDDEN} and {@link ALWAYS_FORBIDDEN} in `visible`; empty when clean. */
export function extremeLeaks(visible: string): string[] {
  return leaksIn(visible, { forbidden: EXTREME_FORBIDDEN });
}

/**
 * What is wrong with the log record of `id`: missing, carrying the redactable secret (the record
 * keeps the detail, but redacted), or unbounded (over 1M characters). Empty when right.
 */
export function recordProblems(records: readonly Record<string, unknown>[], id: string | undefined): string[] {
  const record = recordFor(records, id);
  if (record === undefined) return [`no record for ${id}`];
  const line = JSON.stringify(record);
  return [
    line.includes(REDACTABLE_SECRET) ? 'record leaks the redactable secret' : '',
    line.length > 1_000_000 ? `record of ${line.length} chars` : '',
  ].filter((p) => p !== '');
}

/** An HTTP answer as a client read it. */
export interface HttpAnswer {
  readonly status: number;
  /** Header values by lower-case name. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * What is wrong with a problem-JSON `answer` to an extreme value (empty when right): a status not
 * in `statuses`, another content type, a `detail` other than `genericMessage(status)`, an id
 * that is no UUID v4 or differs from X-Request-ID, any {@link extremeLeaks} in status, headers
 * or body, and the {@link recordProblems} of the id in `records`; then the body's start, to read.
 */
export function httpAnswerProblems(
  answer: HttpAnswer,
  statuses: readonly number[],
  records: readonly Record<string, unknown>[],
  genericMessage: (status: number) => string | undefined,
): string[] {
  let body: { detail?: string; request_id?: string } = {};
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {}
  const generic = genericMessage(answer.status);
  const id = body.request_id;
  const problems = [
    statuses.includes(answer.status) ? '' : `status ${answer.status}`,
    /^application\/problem\+json/.test(answer.headers['content-type'] ?? '') ? '' : 'content-type',
    body.detail !== undefined && body.detail === generic ? '' : `detail ${String(body.detail).slice(0, 80)}`,
    UUID_V4.test(id ?? '') && answer.headers['x-request-id'] === id ? '' : 'id',
    ...extremeLeaks(`${answer.status}\n${JSON.stringify(answer.headers)}\n${answer.body}`).map((s) => `leaks ${s}`),
    ...(UUID_V4.test(id ?? '') ? recordProblems(records, id) : []),
  ].filter((p) => p !== '');
  return problems.length === 0 ? [] : [...problems, `body ${answer.body.slice(0, 120)}`];
}

/**
 * Runs `check` for each style in turn and gathers its problems as `style: …` lines; a style
 * whose check throws (no answer) counts as a problem too. Empty when every style is right.
 */
export async function problemsByStyle(
  styles: readonly string[],
  check: (style: string) => Promise<readonly string[]>,
): Promise<string[]> {
  const wrong: string[] = [];
  for (const style of styles) {
    try {
      const problems = await check(style);
      if (problems.length > 0) wrong.push(`${style}: ${problems.join(', ')}`);
    } catch (error) {
      wrong.push(`${style}: no answer (${(error as Error).message})`);
    }
  }
  return wrong;
}
