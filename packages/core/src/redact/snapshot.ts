/**
 * The first half of redaction: a bounded walk of any thrown value (hostile getters, Proxies,
 * cycles included) into plain data, cheap enough for the response thread. Nothing is redacted
 * or escaped here, except that values under sensitive keys are never read; strings are only cut
 * to length. The result is JSON-safe and structured-clone-safe, so the second half
 * (`Redactor.redactSnapshot`: value patterns, escaping, stack frames) can run on a worker thread.
 */
import { isObjectLike, safeGet, typeLabel } from '../safe-access.js';

/** A literal the walk produced (`[Circular]`, a date): written as is, never redacted. */
export interface SnapLabel {
  readonly l: string;
}

/** A plain object: raw keys (cut to 128 characters) to their values. */
export interface SnapObject {
  readonly o: { [key: string]: SnapNode };
}

/** An error: its type label, raw message and stack, own fields, cause and aggregated errors. */
export interface SnapError {
  readonly e: {
    readonly type: string;
    readonly message?: string;
    readonly stack?: string;
    readonly props: { [key: string]: SnapNode };
    readonly cause?: SnapNode;
    readonly errors?: SnapNode[];
  };
}

/** One node of a snapshot: user text is a plain string, user numbers and booleans as they are. */
export type SnapNode = string | number | boolean | null | SnapNode[] | SnapLabel | SnapObject | SnapError;

/** The bounds of a walk (the redactor's options). */
export interface SnapshotBounds {
  readonly maxDepth: number;
  readonly maxStringLength: number;
  readonly maxKeys: number;
  readonly maxNodes: number;
  /** True for a key whose value is never read (written `[REDACTED]`). */
  readonly sensitiveKey: (key: string) => boolean;
}

/** The value the key rules put in place of a sensitive key's value. */
export const REDACTED = '[REDACTED]';

/** `text` cut to `max` characters, saying how much was cut. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...[truncated ${text.length - max} chars]` : text;
}

const label = (l: string): SnapLabel => ({ l });

function looksLikeError(node: object): boolean {
  try {
    return (
      node instanceof Error ||
      (typeof safeGet(node, 'message') === 'string' && typeof safeGet(node, 'stack') === 'string')
    );
  } catch {
    return false;
  }
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

  /** The type label of `node` at `depth` (the caller's for the top value). */
  function typeOf(node: unknown, depth: number): string {
    return depth === 0 && valueType !== undefined ? valueType : typeLabel(node);
  }

  function walk(node: unknown, depth: number): SnapNode {
    nodes += 1;
    if (nodes > maxNodes) return label('[Truncated]');
    switch (typeof node) {
      case 'string':
        return truncate(node, maxStringLength);
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
      if (Array.isArray(node)) return walkArray(node, depth);
      if (node instanceof Map || node instanceof Set) return label(`[${typeOf(node, depth)} size=${node.size}]`);
      if (node instanceof Date) return label(Number.isNaN(node.getTime()) ? 'Invalid Date' : node.toISOString());
      if (looksLikeError(node)) return walkError(node, depth);
      return { o: walkObject(node, depth) };
    } catch {
      return label('[Unreadable]');
    } finally {
      seen.delete(node);
    }
  }

  function walkArray(array: unknown[], depth: number): SnapNode[] {
    const length = Math.min(array.length, maxKeys);
    const out: SnapNode[] = [];
    for (let i = 0; i < length; i += 1) out.push(walk(safeGet(array, i), depth + 1));
    if (array.length > maxKeys) out.push(label(`[+${array.length - maxKeys} more]`));
    return out;
  }

  function walkObject(object: object, depth: number): { [key: string]: SnapNode } {
    const out: { [key: string]: SnapNode } = {};
    let keys: string[];
    try {
      keys = Object.keys(object);
    } catch {
      return { '[type]': label(typeOf(object, depth)), '[error]': label('[Unreadable]') };
    }
    let count = 0;
    for (const key of keys) {
      if (count >= maxKeys) {
        out['[more keys]'] = keys.length - maxKeys;
        break;
      }
      count += 1;
      out[key.slice(0, 128)] = sensitiveKey(key) ? label(REDACTED) : walk(safeGet(object, key), depth + 1);
    }
    return out;
  }

  function walkError(error: object, depth: number): SnapError {
    const message = safeGet(error, 'message');
    const stack = safeGet(error, 'stack');
    const props = walkObject(error, depth);
    const e: { -readonly [K in keyof SnapError['e']]: SnapError['e'][K] } = { type: typeOf(error, depth), props };
    if (typeof message === 'string') e.message = truncate(message, maxStringLength);
    if (typeof stack === 'string') e.stack = truncate(stack, maxStringLength);
    const cause = safeGet(error, 'cause');
    if (cause !== undefined && !('cause' in props)) e.cause = walk(cause, depth + 1);
    const errors = safeGet(error, 'errors');
    if (Array.isArray(errors) && !('errors' in props)) e.errors = walkArray(errors, depth);
    return { e };
  }

  try {
    return walk(value, 0);
  } catch {
    return label('[Unreadable]');
  }
}
