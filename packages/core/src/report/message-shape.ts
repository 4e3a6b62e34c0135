/**
 * A message's shape for the repeat key: its variable parts (request data: quoted values, hex
 * runs, numbers) folded, so one failure met with different inputs has one shape; and, apart, the
 * quoted names of schema objects it mentions (`constraint "users_email_key"`, `relation "users"`,
 * `for key 'users.email'`, `object name 'dbo.users'`), which tell two different failures apart
 * and which a client does not choose by sending other data. Two more kinds of name go apart
 * rather than into the shape, so that a client choosing them (a webhook's host, a slug in a path)
 * meets the repeat window's cap on identities instead of making every fault a new error: an
 * unquoted URL's host and path (segments holding a digit folded: ids), and the token after a
 * system error's code (`getaddrinfo ENOTFOUND <host>`, `connect ECONNREFUSED <address>`).
 */
import { codeTokenStart, endsToken, isHex, isLetter, isWord, MAX_NAME, urlName, urlStart } from './message-tokens.js';

/** A message folded, and the schema names it quotes (`','`-joined, `''` when none). */
export interface MessageShape {
  readonly shape: string;
  readonly names: string;
}

/**
 * Words after which quoted text names a schema object (the database's, not the request's):
 * Postgres, MySQL, MSSQL and SQLite messages. `name` counts after one of them (`object name 'x'`),
 * `key` only after `for` (MySQL's `for key 'users.email'`, not `Invalid API key '<token>'`).
 */
const NOUNS = new Set([
  'constraint',
  'relation',
  'table',
  'column',
  'index',
  'object',
  'database',
  'schema',
  'sequence',
  'view',
  'trigger',
  'collection',
]);
/** Schema names kept per message. */
const MAX_NAMES = 4;

/** The word (letters) ending just before `end`, after spaces, lower-cased; its start in `start`. */
function wordBefore(text: string, end: number): [string, number] {
  let j = end;
  while (j > 0 && text.charCodeAt(j - 1) === 32) j -= 1;
  const stop = j;
  while (j > 0 && isLetter(text.charCodeAt(j - 1))) j -= 1;
  return [stop - j > 0 && stop - j <= 12 ? text.slice(j, stop).toLowerCase() : '', j];
}

/** True when the quote at `at` follows a schema noun (or `name` after one). */
function namesSchemaObject(text: string, at: number): boolean {
  const [word, start] = wordBefore(text, at);
  if (word === '') return false;
  if (NOUNS.has(word)) return true;
  if (word === 'key') return wordBefore(text, start)[0] === 'for';
  return word === 'name' && NOUNS.has(wordBefore(text, start)[0]);
}

/** True when the `(` at `at` follows `value is` (MSSQL's duplicate key value). */
function isValueIs(text: string, at: number): boolean {
  const [word, start] = wordBefore(text, at);
  return word === 'is' && wordBefore(text, start)[0] === 'value';
}

/**
 * The variable parts of a message folded in one pass, by hand: what
 * `text.replace(/("[^"]*"|'[^']*')|(\b[0-9a-f]{8,}\b)|\d+/gi, …)` gives (quoted text to `"_"`, a
 * hex run of 8 or more standing alone to `h`, digits to `0`; leftmost first, a quote before a hex
 * run before digits), without a regex match and a callback per part; and MSSQL's parenthesised
 * `value is (…)` to `(_)`. The quoted text after a
 * schema noun is folded too, and also kept in `names` (at most {@link MAX_NAMES}, each at most
 * {@link MAX_NAME} characters long).
 */
function fold(text: string): MessageShape {
  let out = '';
  let names = '';
  let kept = 0;
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 40 && isValueIs(text, i)) {
      // MSSQL's `The duplicate key value is (<the row's values>).`: request data, unquoted.
      const close = text.lastIndexOf(')');
      if (close > i) {
        out += `${text.slice(last, i)}(_)`;
        i = close + 1;
        last = i;
        continue;
      }
    }
    if (c === 58) {
      const start = urlStart(text, i, last);
      if (start >= 0) {
        let end = i + 3;
        while (end < n && !endsToken(text.charCodeAt(end))) end += 1;
        if (kept < MAX_NAMES) {
          names += `${kept === 0 ? '' : ','}${urlName(text, i + 3, end)}`;
          kept += 1;
        }
        out += `${text.slice(last, i)}://_`;
        i = end;
        last = i;
        continue;
      }
    }
    if (c === 69) {
      const token = codeTokenStart(text, i);
      if (token >= 0) {
        let end = token;
        while (end < n && !endsToken(text.charCodeAt(end))) end += 1;
        if (kept < MAX_NAMES) {
          const name = text.slice(token, Math.min(end, token + MAX_NAME));
          names += `${kept === 0 ? '' : ','}${name}`;
          kept += 1;
        }
        out += `${text.slice(last, token)}_`;
        i = end;
        last = i;
        continue;
      }
    }
    if (c === 34 || c === 39) {
      const close = text.indexOf(c === 34 ? '"' : "'", i + 1);
      if (close < 0) {
        i += 1;
        continue;
      }
      if (kept < MAX_NAMES && close - i - 1 <= MAX_NAME && namesSchemaObject(text, i)) {
        names += `${kept === 0 ? '' : ','}${text.slice(i + 1, close)}`;
        kept += 1;
      }
      out += `${text.slice(last, i)}"_"`;
      i = close + 1;
      last = i;
      continue;
    }
    if (!isHex(c)) {
      i += 1;
      continue;
    }
    if (i === 0 || !isWord(text.charCodeAt(i - 1))) {
      let j = i + 1;
      while (j < n && isHex(text.charCodeAt(j))) j += 1;
      if (j - i >= 8 && (j === n || !isWord(text.charCodeAt(j)))) {
        out += `${text.slice(last, i)}h`;
        i = j;
        last = i;
        continue;
      }
    }
    if (c <= 57 && c >= 48) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j += 1;
      out += `${text.slice(last, i)}0`;
      i = j;
      last = i;
      continue;
    }
    i += 1;
  }
  return { shape: last === 0 ? text : out + text.slice(last), names };
}

/**
 * Shapes of recent messages: every fault is keyed, and a failing service repeats a few messages,
 * so the fold ran again for the same text (3-4% of a ws server's CPU answering error frames,
 * profiled). Bounded: cleared when full, so distinct messages cost one lookup more.
 */
const SHAPES = new Map<string, MessageShape>();
const MAX_SHAPES = 128;
let lastText: string | undefined;
let lastShape: MessageShape = { shape: '', names: '' };

/** A message (its first 256 characters) folded, with the schema names it quotes. */
export function messageShape(message: string): MessageShape {
  const text = message.length > 256 ? message.slice(0, 256) : message;
  // The last message again (a storm's usual case): one comparison, no hash of a fresh string.
  if (text === lastText) return lastShape;
  let shape = SHAPES.get(text);
  if (shape === undefined) {
    shape = fold(text);
    if (SHAPES.size >= MAX_SHAPES) SHAPES.clear();
    SHAPES.set(text, shape);
  }
  lastText = text;
  lastShape = shape;
  return shape;
}

/** A message with its variable parts folded: quoted text, hex runs, numbers. */
export function shapeOf(message: string): string {
  return messageShape(message).shape;
}
