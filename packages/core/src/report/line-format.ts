/**
 * One log line, in pino's format (`{"level":50,"time":…,"pid":…,"hostname":…,<fields>,"msg":…}`),
 * written without pino: the same bytes pino's default logger writes for a plain record, built
 * with one `JSON.stringify` of the record. The worker thread loads no logger this way, and a
 * line costs a few microseconds less on either thread.
 * A stack's frame lines, the same text for every record thrown from one call site, are
 * serialized once (error-redaction.ts) and spliced in: on Node 20 `JSON.stringify` costs about
 * 3 ns per character (1.1 µs for a stack's four frame lines, measured), and the frames are most
 * of a record's text.
 */
import { hostname } from 'node:os';

/**
 * The stack array of a record's `error` whose last `count` items (from index `from`) are already
 * serialized as `json`: each item's `JSON.stringify` joined by commas.
 */
export interface StackJson {
  readonly stack: readonly unknown[];
  readonly from: number;
  readonly count: number;
  readonly json: string;
}

/** Where a record's `error.stack` array starts in its JSON (see {@link recordJson}). */
const STACK_KEY = '"stack":[';

/**
 * The end of the array of `count` JSON strings that starts at `at` (its `[`) in `text`: the index
 * of its `]`, or -1 when the text there is not such an array.
 */
function endOfStrings(text: string, at: number, count: number): number {
  let i = at + 1;
  for (let k = 0; k < count; k += 1) {
    if (k > 0) {
      if (text.charCodeAt(i) !== 44) return -1; // ,
      i += 1;
    }
    if (text.charCodeAt(i) !== 34) return -1; // "
    // The closing quote: the first one not escaped (preceded by an even run of backslashes).
    let close = text.indexOf('"', i + 1);
    for (;;) {
      if (close < 0) return -1;
      let slashes = 0;
      while (text.charCodeAt(close - 1 - slashes) === 92) slashes += 1;
      if (slashes % 2 === 0) break;
      close = text.indexOf('"', close + 1);
    }
    i = close + 1;
  }
  return text.charCodeAt(i) === 93 ? i : -1; // ]
}

/**
 * `JSON.stringify(record)`, with the frames `stack` describes spliced in already serialized when
 * `record.error.stack` is that array. The record is serialized with the stack's header lines
 * only, then the frames go in after them. The first `"stack":[` of that text is the error's
 * stack: the record's members before `error` and the error's before `stack` are fixed names
 * with string values, and inside a JSON string every `"` is escaped (`"stack\":[` is never
 * `"stack":[`). The header lines are checked to be there; anything unexpected takes the
 * plain `JSON.stringify`.
 */
export function recordJson(record: Record<string, unknown>, stack?: StackJson): string {
  const error = record.error as { stack?: unknown } | undefined;
  if (
    stack === undefined ||
    stack.count === 0 ||
    typeof error !== 'object' ||
    error === null ||
    error.stack !== stack.stack ||
    stack.stack.length !== stack.from + stack.count
  )
    return JSON.stringify(record);
  let body: string;
  error.stack = stack.stack.slice(0, stack.from);
  try {
    body = JSON.stringify(record);
  } finally {
    error.stack = stack.stack;
  }
  const at = body.indexOf(STACK_KEY);
  const end = at < 0 ? -1 : endOfStrings(body, at + STACK_KEY.length - 1, stack.from);
  if (end < 0) return JSON.stringify(record);
  return `${body.slice(0, end)}${stack.from > 0 ? ',' : ''}${stack.json}${body.slice(end)}`;
}

/** pino's numeric levels. */
const LEVELS = { error: 50, warn: 40 } as const;

let bindings: string | undefined;

/** `,"pid":…,"hostname":"…"`, read once. */
function pidAndHost(): string {
  if (bindings === undefined) {
    let host = '';
    try {
      host = hostname();
    } catch {
      // no host name: pino writes an empty one too
    }
    bindings = `,"pid":${process.pid},"hostname":${JSON.stringify(host)}`;
  }
  return bindings;
}

/**
 * The line for `record` at `level` with `message`, newline-terminated; `tail` is more members
 * already serialized (`"name":value,…`), written after the record's; `stack`, a stack array in
 * the record whose frame lines are already serialized. Throws only if the record cannot be
 * serialized.
 */
export function formatLine(
  level: 'error' | 'warn',
  record: Record<string, unknown>,
  message: string,
  tail?: string,
  stack?: StackJson,
): string {
  const body = recordJson(record, stack);
  let fields = body.length > 2 ? `,${body.slice(1, -1)}` : '';
  if (tail !== undefined && tail !== '') fields += `,${tail}`;
  return `{"level":${LEVELS[level]},"time":${Date.now()}${pidAndHost()}${fields},"msg":${JSON.stringify(message)}}\n`;
}
