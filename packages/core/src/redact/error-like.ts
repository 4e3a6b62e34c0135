/**
 * Telling an error from an object, Proxies included. From Node 22 (V8 12) an error's `stack` is
 * an accessor that reads a private slot of its receiver: read through a Proxy, even one without traps
 * (`new Proxy(error, {})`), it is `undefined`, and a trap may hide it or throw. `util.inspect`
 * formats a Proxy's target without running any of its traps; the stack is read from that text:
 * the header, then the frame lines that follow it (the target's own fields and cause come after).
 */
import { inspect, types } from 'node:util';
import { safeGet } from '../safe-access.js';

/** A V8 frame line of the top error as inspect writes it (a cause's frames are indented further). */
const TOP_FRAME = /^ {4}at /;

/** The options of the one inspect call: no colors, no custom inspect, nothing nested, no field's text. */
const INSPECT = {
  depth: 0,
  customInspect: false,
  colors: false,
  compact: true,
  breakLength: Number.POSITIVE_INFINITY,
  maxArrayLength: 0,
  maxStringLength: 0,
  showProxy: false,
} as const;

/**
 * The stack of the error a Proxy wraps (for one whose `stack` read through it gives no string),
 * else `undefined` (not a Proxy, a revoked one, a target with no frames: an error without frames
 * cannot be told from an object here). Never throws; runs no trap.
 */
export function proxiedStack(value: object): string | undefined {
  if (!types.isProxy(value)) return undefined;
  let text: string;
  try {
    text = inspect(value, INSPECT);
  } catch {
    return undefined;
  }
  // With own fields, inspect writes `{ <stack>\n  key: value }`.
  const lines = (text.startsWith('{ ') ? text.slice(2) : text).split('\n');
  const first = lines.findIndex((line) => TOP_FRAME.test(line));
  if (first < 1) return undefined;
  let end = first;
  while (end < lines.length && TOP_FRAME.test(lines[end] as string)) end += 1;
  return lines.slice(0, end).join('\n');
}

/** `instanceof Error`; false when a Proxy's `getPrototypeOf` trap throws. */
function isErrorInstance(node: object): boolean {
  try {
    return node instanceof Error;
  } catch {
    return false;
  }
}

/**
 * An error, a look-alike, one of another realm (`vm`) whose stack is not a string (`isNativeError`,
 * asked only of an object with a message: every error has one, from its prototype), or a Proxy
 * of an error whose stack cannot be read through it.
 */
export function looksLikeError(node: object): boolean {
  if (isErrorInstance(node)) return true;
  const message = safeGet(node, 'message');
  if (message === undefined) return false;
  if (typeof message === 'string' && typeof safeGet(node, 'stack') === 'string') return true;
  return types.isNativeError(node) || (typeof message === 'string' && proxiedStack(node) !== undefined);
}
