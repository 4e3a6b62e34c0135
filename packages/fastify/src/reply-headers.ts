/**
 * Writing and checking a reply's headers without Fastify's per-call copies. `reply.header(name)`
 * and `reply.hasHeader(name)` lower-case the name on every call, and V8 copies the string even
 * when it is already lower case (about 30 bytes each); `reply.getHeaders()` builds a merged object.
 * Faultline's header names are lower-case constants, so on the error path they are written
 * straight into the reply's own header table (the object `reply.header` writes to, which Fastify
 * passes to `writeHead`), found by its symbol's description. If a Fastify version no longer has
 * it, every function here falls back to the public methods: same headers, a few bytes more.
 */
import type { FastifyReply } from 'fastify';

/** Description of Fastify's `kReplyHeaders` symbol (lib/symbols.js). */
const REPLY_HEADERS_DESCRIPTION = 'fastify.reply.headers';

/** The symbol, once found on a reply (`null`: looked for and absent). */
let replyHeadersSymbol: symbol | null | undefined;

/** The header table of `reply` (lower-case names to values), or undefined when not found. */
export function replyHeaderTable(reply: FastifyReply): Record<string, unknown> | undefined {
  if (replyHeadersSymbol === undefined) {
    replyHeadersSymbol =
      Object.getOwnPropertySymbols(reply).find((s) => s.description === REPLY_HEADERS_DESCRIPTION) ?? null;
  }
  if (replyHeadersSymbol === null) return undefined;
  const table = (reply as unknown as Record<symbol, unknown>)[replyHeadersSymbol];
  return typeof table === 'object' && table !== null ? (table as Record<string, unknown>) : undefined;
}

/** Sets header `name` (lower case, never `set-cookie`) to `value` on `reply`, as `reply.header` does. */
export function setReplyHeader(reply: FastifyReply, name: string, value: string): void {
  const table = replyHeaderTable(reply);
  if (table === undefined) reply.header(name, value);
  else table[name] = value;
}

/** Sets every header of `headers` (lower-case names) on `reply`, as `reply.headers` does. */
export function setReplyHeaders(reply: FastifyReply, headers: Readonly<Record<string, string>>): void {
  const table = replyHeaderTable(reply);
  // for-in over a plain object reads V8's enum cache: no key array per call (Object.keys makes one).
  for (const name in headers) {
    const value = headers[name] as string;
    if (table === undefined) reply.header(name, value);
    else table[name] = value;
  }
}

/**
 * Removes from `reply` the headers `drop` holds (lower-case names), whether the route set them
 * with `reply.header` or on the raw response. Allocates nothing but the raw response's (usually
 * empty) list of names when there are none.
 */
export function removeReplyHeaders(reply: FastifyReply, drop: ReadonlySet<string>): void {
  const table = replyHeaderTable(reply);
  if (table === undefined) {
    for (const name of Object.keys(reply.getHeaders())) if (drop.has(name)) reply.removeHeader(name);
    return;
  }
  for (const name in table) if (drop.has(name)) reply.removeHeader(name);
  // Headers set on the raw response: its names are already lower case (Node's hasHeader would
  // lower-case, and so copy, every name asked for).
  const raw = reply.raw;
  const rawNames = raw.getHeaderNames();
  for (let i = 0; i < rawNames.length; i += 1) {
    const name = rawNames[i] as string;
    if (drop.has(name)) raw.removeHeader(name);
  }
}
