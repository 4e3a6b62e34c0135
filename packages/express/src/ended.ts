/**
 * Whether the application ended a response whose end Node has not seen yet. A middleware that
 * replaces `res.end` with its own (`compression`, a session store that saves first) finishes the
 * answer later: `compression` gzips the body and calls Node's `end` only when zlib is done, so a
 * throw or `next(err)` right after `res.json(x)` found headers sent and the response not ended,
 * and the answer was destroyed before a byte of it left (the client saw a reset connection, and a
 * request pipelined behind it was lost).
 *
 * So the app's response prototype (`app.response`, once per app, as `req.id` on `app.request`)
 * gets an `end` accessor: reading it gives Node's `end`; assigning it (what such a middleware
 * does on each response) makes an own accessor on that response whose function first notes that
 * the response was ended, then calls the assigned one. A response nobody wraps pays one getter
 * call per `res.end`, and allocates nothing.
 */

/** Responses whose `end` was called through a wrapper a middleware assigned. */
const endCalled = new WeakSet<object>();

/** The noting functions made (a wrapper assigned again is not wrapped twice). */
const noting = new WeakSet<object>();

/** Response prototypes already looked at. */
const prototypes = new WeakSet<object>();

/** `end` wrapped so that a call first notes its response. */
function noted(assigned: unknown): unknown {
  if (typeof assigned !== 'function' || noting.has(assigned)) return assigned;
  const wrapper = function end(this: unknown, ...args: unknown[]): unknown {
    if (typeof this === 'object' && this !== null) endCalled.add(this);
    return Reflect.apply(assigned as (...a: unknown[]) => unknown, this, args);
  };
  noting.add(wrapper);
  return wrapper;
}

/** Makes `end` of `response` an own accessor holding `value`, noted (what assigning it does). */
function ownEnd(response: object, value: unknown): void {
  let current = noted(value);
  Object.defineProperty(response, 'end', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (next: unknown) => {
      current = noted(next);
    },
  });
}

/**
 * Puts the `end` accessor on `prototype` (an app's response prototype), once. A response that
 * already holds an own `end` (a middleware before this one assigned it, at the app's first
 * request) gets the own accessor at once. Never throws: where the accessor cannot be put, the
 * response is only known ended by Node's `writableEnded`, as before.
 */
export function watchEnd(prototype: unknown, response?: object): void {
  if (typeof prototype !== 'object' || prototype === null || prototypes.has(prototype)) return;
  prototypes.add(prototype);
  try {
    const parent: unknown = Object.getPrototypeOf(prototype);
    if (!Object.hasOwn(prototype, 'end') && typeof parent === 'object' && parent !== null) {
      Object.defineProperty(prototype, 'end', {
        configurable: true,
        enumerable: false,
        get(this: unknown) {
          return Reflect.get(parent, 'end', this);
        },
        set(this: object, value: unknown) {
          ownEnd(this, value);
        },
      });
      const own = response === undefined ? undefined : Object.getOwnPropertyDescriptor(response, 'end');
      if (own !== undefined && own.configurable === true && 'value' in own) ownEnd(response as object, own.value);
    }
  } catch {
    // A frozen prototype, or an `end` that cannot be redefined: `writableEnded` alone, as before.
  }
}

/** True when the application called a middleware's wrapped `end` of `response` (Node may not have ended it yet). */
export function endRequested(response: object): boolean {
  return endCalled.has(response);
}
