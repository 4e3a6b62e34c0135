/**
 * Where the middleware keeps each request's id, and how `req.id` reads it. Express swaps every
 * request's prototype for the app's (`app.request`), after which V8 (Node 20 and 22) gives each
 * request object a hidden class of its own: a property added to it then copies that class and its
 * descriptors, about 1.3 KB per request. So the id is not added to the request: it is kept in a
 * WeakMap, and `req.id` is an accessor on the app's request prototype that reads it (once per
 * app; mounted apps inherit it). Assigning `req.id` still works: it makes an own property, which
 * Faultline then reads instead, as before.
 */
import type { ExpressRequest } from './types.js';

/** The id the middleware gave each request. */
const ids = new WeakMap<object, string>();

/** Request prototypes seen: true when `id` reads the stored id there. */
const prototypes = new WeakMap<object, boolean>();

/** Reads the id the middleware stored for the request. */
function getId(this: object): string | undefined {
  return ids.get(this);
}

/** `req.id = value`: an own property, as on a request without the accessor. */
function setId(this: object, value: unknown): void {
  Object.defineProperty(this, 'id', { value, writable: true, enumerable: true, configurable: true });
}

/** The getter of the nearest `id` on `object`'s prototype chain (undefined: none, or a value). */
function idGetterOf(object: object): unknown {
  for (let current: object | null = object; current !== null; current = Object.getPrototypeOf(current)) {
    const descriptor = Object.getOwnPropertyDescriptor(current, 'id');
    if (descriptor !== undefined) return descriptor.get;
  }
  return undefined;
}

/**
 * Adds the `id` accessor to `prototype` (an app's request prototype) unless it already reads one
 * through its chain (a mounted app's prototype inherits its parent's). False when another `id`
 * stands there: the id is then an own property of each request.
 */
function withAccessor(prototype: object): boolean {
  const known = prototypes.get(prototype);
  if (known !== undefined) return known;
  let reads = false;
  try {
    if (!('id' in prototype)) {
      Object.defineProperty(prototype, 'id', { get: getId, set: setId, enumerable: false, configurable: true });
    }
    reads = idGetterOf(prototype) === getId;
  } catch {
    reads = false;
  }
  prototypes.set(prototype, reads);
  return reads;
}

/**
 * Gives `request` its id: stored, and readable as `req.id` through the accessor when the
 * request's prototype is its Express app's request prototype; otherwise (a request with an own
 * `id`, or not from an Express app) an own property, as before, unless an `id` there cannot be
 * assigned.
 */
export function setRequestId(request: ExpressRequest, id: string): void {
  ids.set(request, id);
  const prototype: unknown = Object.getPrototypeOf(request);
  const app = (request as { app?: { request?: unknown } }).app;
  if (
    typeof prototype === 'object' &&
    prototype !== null &&
    prototype === app?.request &&
    !Object.hasOwn(request, 'id') &&
    withAccessor(prototype)
  )
    return;
  try {
    request.id = id;
  } catch {
    // A getter-only or read-only `id` the application defined (assigning throws in strict mode, and
    // every request would fail): the stored id serves Faultline, and the application keeps its own.
  }
}

/**
 * An id the application assigned (`req.id = …`, e.g. pino-http's `genReqId` echoing a header or a
 * query parameter) is answered only as a header-safe token: printable ASCII without spaces, at most
 * 128 characters. Anything else would be echoed in full (a 10 KB header) or make Node refuse the
 * `X-Request-ID` header (CR, LF, characters above U+00FF), and the client got no answer at all.
 */
const ASSIGNED_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The request's id: `req.id` when it is a header-safe string (the middleware's id, or one the
 * application assigned), else the id the middleware stored (read where the accessor is not on the
 * request's prototype chain, e.g. in a parent app after a mounted app set it). Never throws: an
 * `id` accessor the application defined may (the error middleware threw, and Express's
 * `finalhandler` wrote the getter's stack).
 */
export function requestIdOf(request: ExpressRequest): string | undefined {
  let id: unknown;
  try {
    id = request.id;
  } catch {
    id = undefined;
  }
  return typeof id === 'string' && ASSIGNED_ID.test(id) ? id : ids.get(request);
}
