/**
 * The first half of redaction: a bounded walk of any thrown value (hostile getters, Proxies,
 * cycles included) into plain data, cheap enough for the response thread. Nothing is redacted
 * or escaped here, except that values under sensitive keys are never read; strings are only marked
 * to be cut (with a margin past the cut, so a secret the cut goes through is still redacted whole:
 * cut.ts), and the text of one walk is bounded in total. The result is JSON-safe and
 * structured-clone-safe, so the second half
 * (`Redactor.redactSnapshot`: value patterns, escaping, stack frames) can run on a worker thread.
 */
import { types } from 'node:util';
import { isObjectLike, safeGet, typeLabel } from '../safe-access.js';
import { mapFields, setItems, symbolFields } from './collections.js';
import { markCut } from './cut.js';
import { looksLikeError, proxiedStack } from './error-like.js';
import { isCutStream, streamSummary } from './node-streams.js';
import type { SnapError, SnapLabel, SnapNode, SnapObject, SnapshotBounds } from './snap-node.js';
import { pairList, webValue } from './web-values.js';

export type { SnapError, SnapLabel, SnapNode, SnapObject, SnapshotBounds } from './snap-node.js';

/** The value the key rules put in place of a sensitive key's value. */
export const REDACTED = '[REDACTED]';

/** What the walk of an object without own keys gives (shared: never written to). */
const NO_FIELDS: { readonly [key: string]: SnapNode } = Object.freeze({});

/** Longest key kept. */
const MAX_KEY = 128;

/**
 * `out[key] = value` that keeps a `__proto__` key as data: an assignment would set the object's
 * prototype instead, and the key (and what it holds) would vanish from the record.
 */
export function setOwn<T>(out: { [key: string]: T }, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/**
 * Walks `value` into a bounded snapshot. Never throws. `valueType`: `typeLabel(value)` when the
 * caller already has it (a captured fault remembers its thrown value's), used for `value` itself
 * only; every nested value's label is read in the walk.
 */
export function snapshot(value: unknown, bounds: SnapshotBounds, valueType?: string): SnapNode {
  const { maxDepth, maxStringLength, maxKeys, maxNodes, sensitiveKey } = bounds;
  const seen = new Set<object>();
  let nodes = 0;
  /** Characters of text the walk may still keep. */
  let budget = bounds.maxTotalLength;

  /** A label, its length taken from the budget. */
  function label(l: string): SnapLabel {
    budget -= l.length;
    return { l };
  }

  /** `text` marked to be cut at `max` or at what is left of the budget; `undefined` once none is. */
  function text(value: string, max: number): string | undefined {
    if (budget <= 0) return undefined;
    const at = Math.min(max, budget);
    budget -= Math.min(value.length, at);
    return markCut(value, at);
  }

  /** The type label of `node` at `depth` (the caller's for the top value). */
  function typeOf(node: unknown, depth: number): string {
    return depth === 0 && valueType !== undefined ? valueType : typeLabel(node);
  }

  /**
   * `pairs`: `node` is a list of names and values (`rawHeaders`), whose values the key rules see
   * by their names. `field`: `node` is an error's field, whose Set or Map is written with its content.
   */
  function walk(node: unknown, depth: number, pairs = false, field = false): SnapNode {
    nodes += 1;
    if (nodes > maxNodes || budget <= 0) return { l: '[Truncated]' };
    switch (typeof node) {
      case 'string':
        return text(node, maxStringLength) ?? { l: '[Truncated]' };
      case 'number':
        return Number.isFinite(node) ? node : label(String(node));
      case 'boolean':
        return node;
      case 'bigint':
        return label(`${node.toString()}n`);
      case 'undefined':
        return null;
      case 'symbol':
        return label('[Symbol]');
      case 'function':
        return label(`[Function ${typeOf(node, depth)}]`);
      default:
        break;
    }
    if (node === null || !isObjectLike(node)) return null;
    if (seen.has(node)) return label('[Circular]');
    if (depth >= maxDepth) return label(`[${typeOf(node, depth)}]`);
    seen.add(node);
    try {
      if (ArrayBuffer.isView(node)) return label(`[${typeOf(node, depth)} ${node.byteLength} bytes]`);
      if (Array.isArray(node)) return walkArray(node, depth, pairs);
      if (node instanceof Map || node instanceof Set) return walkCollection(node, depth, field);
      if (node instanceof Date) return label(Number.isNaN(node.getTime()) ? 'Invalid Date' : node.toISOString());
      if (looksLikeError(node)) return walkError(node, depth);
      if (isCutStream(node)) return { o: walkObject(streamSummary(node), depth) };
      return walkFields(node, depth);
    } catch {
      // A Proxy whose `getPrototypeOf` trap throws (in `instanceof`) may still wrap an error.
      return types.isProxy(node) ? walkProxy(node, depth) : label('[Unreadable]');
    } finally {
      seen.delete(node);
    }
  }

  /** A Proxy whose `instanceof` threw: an error when what it wraps is one (error-like.ts), else its fields. */
  function walkProxy(node: object, depth: number): SnapNode {
    try {
      return looksLikeError(node) ? walkError(node, depth) : walkFields(node, depth);
    } catch {
      return label('[Unreadable]');
    }
  }

  /**
   * An object's fields; without own keys, perhaps a URL, its parameters or headers; a web value
   * with some (a `Response` a framework added a field to) gets its class's fields too (web-values.ts).
   */
  function walkFields(node: object, depth: number): SnapNode {
    const fields = walkObject(node, depth);
    if (fields === NO_FIELDS) return webNode(node, depth) ?? { o: {} };
    const proto = Object.getPrototypeOf(node) as unknown;
    const web = proto === Object.prototype || proto === null ? undefined : webNode(node, depth);
    return typeof web === 'object' && web !== null && 'o' in web ? { o: { ...web.o, ...fields } } : { o: fields };
  }

  function walkArray(array: unknown[], depth: number, pairs = false): SnapNode[] {
    const length = Math.min(array.length, maxKeys);
    const out: SnapNode[] = [];
    let i = 0;
    let name: unknown;
    for (; i < length && budget > 0; i += 1) {
      // A value whose name before it is sensitive is never read, as under an object's key.
      if (pairs && i % 2 === 1 && typeof name === 'string' && sensitiveKey(name)) {
        out.push(label(REDACTED));
        continue;
      }
      const item = safeGet(array, i);
      name = item;
      out.push(walk(item, depth + 1));
    }
    if (array.length > i) out.push({ l: `[+${array.length - i} more]` });
    return out;
  }

  /** A Set or Map: its content when it is an error's field, else its class and size. */
  function walkCollection(node: Set<unknown> | Map<unknown, unknown>, depth: number, field: boolean): SnapNode {
    const items = field ? setItems(node, maxKeys) : undefined;
    if (items !== undefined) return walkArray(items, depth);
    const fields = field ? mapFields(node, maxKeys) : undefined;
    if (fields !== undefined) return { o: walkObject(fields, depth) };
    return label(`[${typeOf(node, depth)} size=${node.size}]`);
  }

  /** `field`: `object` is an error, whose fields' Sets and Maps are written with their content. */
  function walkObject(object: object, depth: number, field = false): { [key: string]: SnapNode } {
    const out: { [key: string]: SnapNode } = {};
    let keys: string[];
    try {
      keys = Object.keys(object);
    } catch {
      return { '[type]': label(typeOf(object, depth)), '[error]': label('[Unreadable]') };
    }
    if (keys.length === 0) return NO_FIELDS;
    let count = 0;
    for (const key of keys) {
      const kept = count < maxKeys ? text(key, MAX_KEY) : undefined;
      if (kept === undefined) {
        out['[more keys]'] = keys.length - count;
        break;
      }
      count += 1;
      setOwn(
        out,
        kept,
        sensitiveKey(key) ? label(REDACTED) : walk(safeGet(object, key), depth + 1, pairList(key), field),
      );
    }
    return out;
  }

  /** A URL or its parameters as their text, headers as their fields; `undefined` for any other object. */
  function webNode(node: object, depth: number): SnapNode | undefined {
    const web = webValue(node, maxNodes);
    if (web === undefined) return undefined;
    if ('text' in web) return text(web.text, maxStringLength) ?? { l: '[Truncated]' };
    return { o: walkObject(web.fields, depth) };
  }

  function walkError(error: object, depth: number): SnapError {
    const rawMessage = safeGet(error, 'message');
    const read = safeGet(error, 'stack');
    // Read through a Proxy, a stack may be missing: it is then read from what the Proxy wraps.
    const rawStack = typeof read === 'string' ? read : (proxiedStack(error) ?? read);
    // The message and the stack first: the budget goes to them before the error's own fields.
    const type = typeOf(error, depth);
    const message = typeof rawMessage === 'string' ? text(rawMessage, maxStringLength) : undefined;
    const stack = typeof rawStack === 'string' ? text(rawStack, maxStringLength) : undefined;
    const props = withHiddenFields(error, walkObject(error, depth, true), rawMessage, rawStack, depth);
    const e: { -readonly [K in keyof SnapError['e']]: SnapError['e'][K] } = { type, props };
    if (message !== undefined) e.message = message;
    if (stack !== undefined) e.stack = stack;
    const cause = safeGet(error, 'cause');
    if (cause !== undefined && !('cause' in props)) e.cause = walk(cause, depth + 1);
    const errors = safeGet(error, 'errors');
    if (Array.isArray(errors) && !('errors' in props)) e.errors = walkArray(errors, depth);
    return { e };
  }

  /**
   * The error's fields that the walk of its keys misses, added to `props` (copied once: `props`
   * itself may be the shared empty object): a SuppressedError's disposal `error` and the
   * `suppressed` one it hid (`using`, `DisposableStack`, Node 24: own non-enumerable fields), a
   * `message` or `stack` that is not a string (`e.message = body` stays non-enumerable), and its
   * own symbol-keyed fields (collections.ts), whose key rules see the symbol's description.
   */
  function withHiddenFields(
    error: object,
    props: SnapObject['o'],
    message: unknown,
    stack: unknown,
    depth: number,
  ): SnapObject['o'] {
    const suppressed = 'suppressed' in props ? undefined : safeGet(error, 'suppressed');
    const oddMessage = message !== undefined && typeof message !== 'string' && !('message' in props);
    const oddStack = stack !== undefined && typeof stack !== 'string' && !('stack' in props);
    const symbols = symbolFields(error, maxKeys);
    if (suppressed === undefined && !oddMessage && !oddStack && symbols.length === 0) return props;
    const out = { ...props };
    for (const [key, description, value] of symbols) {
      const kept = text(key, MAX_KEY);
      if (kept === undefined || key in props) continue;
      setOwn(out, kept, sensitiveKey(description) ? label(REDACTED) : walk(value, depth + 1, false, true));
    }
    if (suppressed !== undefined) {
      if (!('error' in props)) setOwn(out, 'error', walk(safeGet(error, 'error'), depth + 1));
      setOwn(out, 'suppressed', walk(suppressed, depth + 1));
    }
    if (oddMessage) out.message = walk(message, depth + 1);
    if (oddStack) out.stack = walk(stack, depth + 1);
    return out;
  }

  try {
    return walk(value, 0);
  } catch {
    return label('[Unreadable]');
  }
}
