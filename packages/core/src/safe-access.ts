/**
 * Reading hostile values without being hurt by them: every read of a thrown value goes through
 * these helpers, which never throw (getters, Proxy traps and `toString` may), never call
 * `toString`/`valueOf` on foreign objects and bound every string they return.
 */

import { types } from 'node:util';

/** A thrown value that can carry properties (object or function, Proxy included). */
export type ObjectLike = object;

/** True for objects and functions (the values that can carry properties). */
export function isObjectLike(value: unknown): value is ObjectLike {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** Reads `object[key]`; a throwing getter or Proxy trap yields `undefined`. */
export function safeGet(object: ObjectLike, key: PropertyKey): unknown {
  try {
    return (object as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** How deep a prototype chain {@link chainDescriptor} follows before it gives up. */
const MAX_CHAIN = 32;

/**
 * The descriptor of `key` on `object` or the first object of its prototype chain that has it,
 * found without running any code of the value's (no getter, no Proxy trap): `undefined` when no
 * object of the chain has `key`, `null` when that cannot be known so (a Proxy on the chain, or a
 * chain deeper than 32). For what framework code will read of a thrown value: a data property is
 * read without running code, an accessor is not.
 */
export function chainDescriptor(object: ObjectLike, key: PropertyKey): PropertyDescriptor | null | undefined {
  let current: object | null = object;
  for (let depth = 0; current !== null; depth += 1) {
    if (depth >= MAX_CHAIN || types.isProxy(current)) return null;
    const own = Object.getOwnPropertyDescriptor(current, key);
    if (own !== undefined) return own;
    current = Object.getPrototypeOf(current) as object | null;
  }
  return undefined;
}

/** True for a value with a callable `then` (a promise a handler returned); a throwing getter or Proxy trap counts as no. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isObjectLike(value) && typeof safeGet(value, 'then') === 'function';
}

/** Reads `object[key]` only when it is a primitive string, cut to `max` characters. */
export function safeGetString(object: ObjectLike, key: PropertyKey, max = 512): string | undefined {
  const value = safeGet(object, key);
  return typeof value === 'string' ? value.slice(0, max) : undefined;
}

/** Reads `object[key]` only when it is a finite primitive number. */
export function safeGetNumber(object: ObjectLike, key: PropertyKey): number | undefined {
  const value = safeGet(object, key);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Reads `object[key]` only when it is an object (not null). */
export function safeGetObject(object: ObjectLike, key: PropertyKey): ObjectLike | undefined {
  const value = safeGet(object, key);
  return isObjectLike(value) ? value : undefined;
}

/** Reads `object[key]` only when it is a real array, copying at most `max` elements. */
export function safeGetArray(object: ObjectLike, key: PropertyKey, max = 64): unknown[] | undefined {
  const value = safeGet(object, key);
  try {
    if (!Array.isArray(value)) return undefined;
    const length = Math.min(value.length >>> 0, max);
    const copy: unknown[] = [];
    for (let i = 0; i < length; i += 1) copy.push(safeGet(value, i));
    return copy;
  } catch {
    return undefined;
  }
}

/**
 * A short, safe type label for logs and `error.type`-like fields: the constructor name when it
 * looks like an identifier, else the primitive type. Never calls user code beyond property reads.
 */
export function typeLabel(value: unknown): string {
  if (value === null) return 'null';
  if (!isObjectLike(value)) return typeof value;
  const ctor = constructorOf(value);
  const ctorName = typeof ctor === 'function' ? constructorName(ctor) : undefined;
  // A subclass name (DatabaseError) says more than `name` (pg sets it to "error"); plain Error/Object say less.
  if (ctorName !== undefined && isIdentifier(ctorName) && ctorName !== 'Error' && ctorName !== 'Object')
    return ctorName;
  const name = nameOf(value);
  if (name !== undefined && isIdentifier(name)) return name;
  if (ctorName !== undefined && isIdentifier(ctorName)) return ctorName;
  return typeof value === 'function' ? 'Function' : 'Object';
}

const IDENTIFIER = /^[A-Za-z_$][\w$]{0,127}$/;
/** The last name tested and the verdict: a service throws a few types, so the same name comes again. */
let lastTested = '';
let lastVerdict = false;

/** True when `name` (at most 128 characters) looks like an identifier; the last verdict is remembered. */
function isIdentifier(name: string): boolean {
  if (name === lastTested) return lastVerdict;
  lastVerdict = IDENTIFIER.test(name);
  lastTested = name;
  return lastVerdict;
}

/**
 * The last constructor named and its name. A function's `name` is read through a native accessor
 * (about 700 instructions, callgrind), and a service throws a few types again and again. A name
 * redefined on the same constructor afterwards is not seen: the label is a log field, not a check.
 */
let lastConstructor: unknown;
let lastConstructorName: string | undefined;

/** {@link nameOf} a constructor, the last one's remembered. */
function constructorName(ctor: ObjectLike): string | undefined {
  if (ctor !== lastConstructor) {
    lastConstructorName = nameOf(ctor);
    lastConstructor = ctor;
  }
  return lastConstructorName;
}

/** `value.constructor`, read at its own site (the keyed read in `safeGet` is megamorphic); a throwing read is `undefined`. */
function constructorOf(value: ObjectLike): unknown {
  try {
    return (value as { constructor?: unknown }).constructor;
  } catch {
    return undefined;
  }
}

/** `value.name` when it is a string, cut to 128 characters, read at its own site; else `undefined`. */
function nameOf(value: ObjectLike): string | undefined {
  let name: unknown;
  try {
    name = (value as { name?: unknown }).name;
  } catch {
    return undefined;
  }
  return typeof name === 'string' ? name.slice(0, 128) : undefined;
}

/** `instanceof` that survives Proxies whose `getPrototypeOf` trap throws. */
export function safeInstanceOf(value: unknown, ctor: abstract new (...args: never[]) => unknown): boolean {
  try {
    return value instanceof ctor;
  } catch {
    return false;
  }
}
