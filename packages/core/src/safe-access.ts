/**
 * Reading hostile values without being hurt by them: every read of a thrown value goes through
 * these helpers, which never throw (getters, Proxy traps and `toString` may), never call
 * `toString`/`valueOf` on foreign objects and bound every string they return.
 */

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

/** The value's `name` property when it is an own-or-inherited string, else `undefined`. */
export function safeErrorName(value: ObjectLike): string | undefined {
  return safeGetString(value, 'name', 128);
}

/**
 * A short, safe type label for logs and `error.type`-like fields: the constructor name when it
 * looks like an identifier, else the primitive type. Never calls user code beyond property reads.
 */
export function typeLabel(value: unknown): string {
  if (value === null) return 'null';
  if (!isObjectLike(value)) return typeof value;
  const ctor = safeGet(value, 'constructor');
  const ctorName = typeof ctor === 'function' ? safeGetString(ctor, 'name', 128) : undefined;
  // A subclass name (DatabaseError) says more than `name` (pg sets it to "error"); plain Error/Object say less.
  if (ctorName !== undefined && IDENTIFIER.test(ctorName) && ctorName !== 'Error' && ctorName !== 'Object')
    return ctorName;
  const name = safeErrorName(value);
  if (name !== undefined && IDENTIFIER.test(name)) return name;
  if (ctorName !== undefined && IDENTIFIER.test(ctorName)) return ctorName;
  return typeof value === 'function' ? 'Function' : 'Object';
}

const IDENTIFIER = /^[A-Za-z_$][\w$]{0,127}$/;

/** `instanceof` that survives Proxies whose `getPrototypeOf` trap throws. */
export function safeInstanceOf(value: unknown, ctor: abstract new (...args: never[]) => unknown): boolean {
  try {
    return value instanceof ctor;
  } catch {
    return false;
  }
}
