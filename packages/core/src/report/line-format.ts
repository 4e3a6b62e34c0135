/**
 * One log line, in pino's format (`{"level":50,"time":…,"pid":…,"hostname":…,<fields>,"msg":…}`),
 * written without pino: the same bytes pino's default logger writes for a plain record, its
 * members serialized as `JSON.stringify` does (see {@link recordJson}). The worker thread loads no logger this way, and a
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
 * `JSON.stringify(error)`, with the frames `stack` describes spliced in already serialized when
 * `error.stack` is that array. The error is serialized with the stack's header lines only, then
 * the frames go in after them. The first `"stack":[` of that text is the stack: the error's
 * members before `stack` are fixed names with string values, and inside a JSON string every `"`
 * is escaped (`"stack\":[` is never `"stack":[`). The header lines are checked to be there;
 * anything unexpected takes the plain `JSON.stringify`.
 */
function errorJson(error: { stack?: unknown }, stack: StackJson): string {
  if (stack.count === 0 || error.stack !== stack.stack || stack.stack.length !== stack.from + stack.count)
    return JSON.stringify(error);
  let body: string;
  error.stack = stack.stack.slice(0, stack.from);
  try {
    body = JSON.stringify(error);
  } finally {
    error.stack = stack.stack;
  }
  const at = body.indexOf(STACK_KEY);
  const end = at < 0 ? -1 : endOfStrings(body, at + STACK_KEY.length - 1, stack.from);
  if (end < 0) return JSON.stringify(error);
  return `${body.slice(0, end)}${stack.from > 0 ? ',' : ''}${stack.json}${body.slice(end)}`;
}

/** Text `JSON.stringify` writes as it is, between quotes: printable ASCII but `"` and `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]{0,64}$/;

/**
 * `JSON.stringify(text)`; a short plain text (an id, a fingerprint) is quoted here, without the
 * serializer's setup (about 1k instructions a call, callgrind).
 */
function quoted(text: string): string {
  return PLAIN.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** Most member names whose last value's JSON is remembered (a record's names are a fixed few). */
const MAX_MEMBERS = 64;
/** Per member name: its JSON (`"name":`), and the last primitive value and JSON it had. */
const members = new Map<string, { readonly key: string; value: unknown; json: string }>();

/**
 * `"name":value` as `JSON.stringify` writes a member, or `undefined` for a value it leaves out
 * (`undefined`, a function, a symbol). A string, number or boolean equal to the one the name had
 * last is not serialized again: in a storm most of a record's members (code, category, status,
 * type, reason, method, route) are the same from record to record.
 */
function memberJson(name: string, value: unknown): string | undefined {
  let member = members.get(name);
  if (member === undefined) {
    if (members.size >= MAX_MEMBERS) members.clear();
    member = { key: `${JSON.stringify(name)}:`, value: undefined, json: '' };
    members.set(name, member);
  }
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') {
    if (value !== member.value) {
      member.value = value;
      member.json = `${member.key}${type === 'string' ? quoted(value as string) : JSON.stringify(value)}`;
    }
    return member.json;
  }
  const json = JSON.stringify(value) as string | undefined;
  return json === undefined ? undefined : `${member.key}${json}`;
}

/**
 * `JSON.stringify(record)` for a record of plain data, written member by member (see
 * {@link memberJson}); with the frames `stack` describes spliced into `record.error` when its
 * `stack` is that array (see {@link errorJson}). One `JSON.stringify` of the whole record
 * serialized every name and value again for each record: the worker's largest cost under a storm
 * of distinct faults (about 20k instructions a record, callgrind).
 */
export function recordJson(record: Record<string, unknown>, stack?: StackJson): string {
  // A record that serializes itself is left to `JSON.stringify`.
  if (typeof record.toJSON === 'function') return JSON.stringify(record);
  return `{${recordMembers(record, stack)}}`;
}

/** {@link recordJson} without its braces: the members, comma-separated. */
function recordMembers(record: Record<string, unknown>, stack: StackJson | undefined): string {
  if (typeof record.toJSON === 'function') return JSON.stringify(record).slice(1, -1);
  let out = '';
  for (const name of Object.keys(record)) {
    const value = record[name];
    const json =
      name === 'error' && stack !== undefined && typeof value === 'object' && value !== null
        ? `"error":${errorJson(value as { stack?: unknown }, stack)}`
        : memberJson(name, value);
    if (json === undefined) continue;
    out = out === '' ? json : `${out},${json}`;
  }
  return out;
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
  const members = recordMembers(record, stack);
  let fields = members === '' ? '' : `,${members}`;
  if (tail !== undefined && tail !== '') fields += `,${tail}`;
  return `{"level":${LEVELS[level]},"time":${Date.now()}${pidAndHost()}${fields},"msg":${quoted(message)}}\n`;
}
