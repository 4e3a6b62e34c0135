/**
 * Values of the web platform that hold their data in internal slots, not in own keys: walked as
 * objects, a `URL`, a `URLSearchParams` and a `Headers` were `{}`. The walk (snapshot.ts) writes
 * the first two as their text and a `Headers` as its fields, read through the classes' own
 * methods (not ones a subclass or the object put in their place); the redactor then treats them
 * as any string or object. An `Event` (a WebSocket's `ErrorEvent` a handler rejected with, a
 * `CustomEvent`, the `ws` library's own) holds all it says in getters: written as its class,
 * type and the fields that explain it. So do a `Response` (`if (!res.ok) throw res`), a `Request`,
 * a `Blob` and a web stream, written as their class and fields (a body is never read). Also Node's
 * header lists (`rawHeaders`), names and values in turn.
 */
import { safeGet, typeLabel } from '../safe-access.js';

/** What the walk writes for a web value: its text, or its fields. */
export type WebValue = { readonly text: string } | { readonly fields: Record<string, unknown> };

/** The fields of an event that say what happened (`ErrorEvent`, `CloseEvent`, `CustomEvent`), when set. */
const EVENT_FIELDS = ['message', 'error', 'code', 'reason', 'wasClean', 'detail'] as const;

const tagOf = Object.prototype.toString;
const urlText = URL.prototype.toString;
const paramsText = URLSearchParams.prototype.toString;

/** The fields of each web class written, read through its prototype's getters. */
const CLASS_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Response: ['status', 'statusText', 'url', 'redirected', 'bodyUsed', 'headers'],
  Request: ['method', 'url', 'bodyUsed', 'headers'],
  Blob: ['size', 'type'],
  File: ['name', 'size', 'type'],
  ReadableStream: ['locked'],
  WritableStream: ['locked'],
};

/** The global class of a web value's tag (`Response`…), when the value is one of it. */
function webClass(value: object, name: string): { prototype: object } | undefined {
  const ctor = (globalThis as Record<string, unknown>)[name];
  return typeof ctor === 'function' && value instanceof ctor ? (ctor as { prototype: object }) : undefined;
}

/**
 * `value`'s class label and the fields its class's getters give (those the value or a subclass
 * put in their place are not run). A getter that throws leaves its field out.
 */
function classFields(value: object, proto: object, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { '[type]': typeLabel(value) };
  for (const key of keys) {
    try {
      const get = getterOf(proto, key);
      if (get !== undefined) out[key] = get.call(value);
    } catch {
      // An unreadable field is left out.
    }
  }
  return out;
}

/** The getter of `key` on `proto` or the classes it extends (`File`'s `size` is `Blob`'s). */
function getterOf(proto: object | null, key: string): (() => unknown) | undefined {
  for (let at = proto, depth = 0; at !== null && depth < 4; at = Object.getPrototypeOf(at), depth += 1) {
    const descriptor = Object.getOwnPropertyDescriptor(at, key);
    if (descriptor !== undefined) return descriptor.get;
  }
  return undefined;
}

/** The first `max` fields of `headers` as a plain object. */
function headerFields(headers: Headers, max: number): Record<string, string> {
  // No prototype: a field named `__proto__` (a valid header name) stays a field.
  const out = Object.create(null) as Record<string, string>;
  let count = 0;
  for (const [name, value] of Headers.prototype.entries.call(headers)) {
    if (count === max) break;
    out[name] = value;
    count += 1;
  }
  return out;
}

/** An event's class, type and the fields of {@link EVENT_FIELDS} it has (read through its getters, safely). */
function eventFields(event: Event): Record<string, unknown> {
  const out: Record<string, unknown> = { event: typeLabel(event), type: safeGet(event, 'type') };
  for (const key of EVENT_FIELDS) {
    const value = safeGet(event, key);
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

/**
 * The text or fields of `value` when it is a `URL`, `URLSearchParams`, `Headers` or `Event` (at most
 * `maxFields` of them), else `undefined`. Only for an object without own keys (what these are):
 * others never pay for the test. `Headers` is looked up only for an object tagged so, since
 * reading the global loads Node's fetch (and `node:tls`) the first time.
 */
export function webValue(value: object, maxFields: number): WebValue | undefined {
  const tag = tagOf.call(value);
  switch (tag) {
    case '[object URL]':
      return value instanceof URL ? { text: urlText.call(value) } : undefined;
    case '[object URLSearchParams]':
      return value instanceof URLSearchParams ? { text: paramsText.call(value) } : undefined;
    case '[object Headers]':
      return typeof Headers === 'function' && value instanceof Headers
        ? { fields: headerFields(value, maxFields) }
        : undefined;
    default:
      return classValue(value, tag.slice(8, -1)) ?? (isEvent(value) ? { fields: eventFields(value) } : undefined);
  }
}

/** A `Response`, `Request`, `Blob`, `File` or web stream as its class and fields, else `undefined`. */
function classValue(value: object, name: string): WebValue | undefined {
  const keys = CLASS_FIELDS[name];
  const ctor = keys === undefined ? undefined : webClass(value, name);
  return ctor === undefined || keys === undefined ? undefined : { fields: classFields(value, ctor.prototype, keys) };
}

/** A DOM `Event` (Node's, undici's) or one of a library's own event classes (`ws`: `ErrorEvent`, `CloseEvent`). */
function isEvent(value: object): value is Event {
  return (typeof Event === 'function' && value instanceof Event) || typeLabel(value).endsWith('Event');
}

/**
 * True for the key of a list of header names and values in turn (`IncomingMessage`'s
 * `rawHeaders` and `rawTrailers`: an error that carries its request or response holds them):
 * each value is then redacted by its name's key rule.
 */
export function pairList(key: string): boolean {
  return key === 'rawHeaders' || key === 'rawTrailers';
}
