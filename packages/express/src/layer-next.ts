/**
 * A thrown promise that rejects, past more than 100 layers in one synchronous run. Express's
 * router counts the layers it steps through synchronously and goes on from its 101st step on
 * `setImmediate` (its `next`: `if (++sync > 100) return setImmediate(next, err)`, a route's too):
 * an error handed over at that step, or passing it on its way to the error middleware, meets
 * `fl.errorHandler` (and the routers' last layer, settle.ts) a turn later, and Node has by then
 * seen the rejection unhandled and ended the process.
 *
 * So the `next` every layer gets marks such a promise handled as it enters the chain: the
 * prototype of the app's layers (Express 4's `Layer`, the `router` package's) is patched once, at
 * an app's first request, so that `handleRequest` / `handleError` (Express 4: `handle_request` /
 * `handle_error`) pass the handler a `next` that calls core's `defuseThrownPromise` on its value
 * first. A sync throw (the layer's own try/catch), `next(promise)`, a returned promise's
 * rejection and an error passed on by a layer all go through that `next`, before the router
 * counts the step. Any other value is passed on unchanged, and so is every return value.
 *
 * A parameter callback (`app.param`, `router.param`) is called by the router itself, not by a
 * layer: each router's callbacks are wrapped in place when the router runs (one look at its
 * `params` a router a request), so the wrapper marks what the callback throws, or passes to its
 * `next`, handled before the router takes it.
 *
 * A falsy value thrown (`throw null`, `throw undefined`, `throw 0`, `throw ''`) is no error to
 * Express: its catch around a handler, an error middleware or a parameter callback hands it to
 * `next`, which goes on as after success: the next route ran (an authorization middleware or
 * parameter callback failing that way let the request through), or nothing answered and the
 * request hung. The patched methods and the parameter wrappers throw such a value on inside a
 * carrier (core's `carryThrown`, an `Error`), which `fl.errorHandler` takes back out and answers.
 */
import { types } from 'node:util';
import { carryThrown, defuseThrownPromise } from '@faultline/core/adapter';

/** Express's `next`. */
type Next = (error?: unknown) => unknown;

/** The layer methods that hand a handler its `next`, and where `next` is among their arguments. */
const METHODS = [
  ['handleRequest', 2],
  ['handleError', 3],
  ['handle_request', 2],
  ['handle_error', 3],
] as const;

/** Layer prototypes already patched (or found unpatchable). */
const prototypes = new WeakSet<object>();

/** `next`, marking a thrown promise handled before Express sees it. */
function defusing(next: unknown): unknown {
  if (typeof next !== 'function') return next;
  return (error?: unknown) => {
    defuseThrownPromise(error);
    return (next as Next)(error);
  };
}

/** What was thrown, a falsy value inside a carrier (Express takes a falsy one for success). */
function truthy(thrown: unknown): unknown {
  return thrown ? thrown : carryThrown(thrown, 'Express');
}

/** A layer's handler as Express calls it. */
type LayerHandler = (this: unknown, ...args: unknown[]) => unknown;

/**
 * The wrapper {@link carryingFalsy} made for each handler, and each wrapper under itself (one
 * look-up tells both).
 */
const carriers = new WeakMap<LayerHandler, LayerHandler>();

/**
 * `handler`, throwing a falsy value inside a carrier; same arity (Express reads it to tell error
 * middleware, called with four arguments, from the rest, called with three). Fixed parameters,
 * no rest array: this runs for every layer a request passes.
 */
function carryingFalsy(handler: LayerHandler): LayerHandler {
  let wrapper = carriers.get(handler);
  if (wrapper !== undefined) return wrapper;
  wrapper =
    handler.length < 4
      ? function carryFalsy(this: unknown, request: unknown, response: unknown, next: unknown) {
          try {
            return handler.call(this, request, response, next);
          } catch (error) {
            throw truthy(error);
          }
        }
      : function carryFalsy(this: unknown, error: unknown, request: unknown, response: unknown, next: unknown) {
          try {
            return handler.call(this, error, request, response, next);
          } catch (thrown) {
            throw truthy(thrown);
          }
        };
  Object.defineProperty(wrapper, 'length', { value: handler.length });
  carriers.set(handler, wrapper);
  carriers.set(wrapper, wrapper);
  return wrapper;
}

/** What {@link carryIn} returns for a layer it left as it was. */
const UNCHANGED = Symbol('unchanged');

/**
 * Puts `layer.handle` (which the layer's method reads first, synchronously) in
 * {@link carryingFalsy} and returns the handler to put back after the call; {@link UNCHANGED} where
 * the layer has no handler or cannot be changed. No closure: this runs for every layer a request
 * passes.
 */
function carryIn(layer: unknown): unknown {
  const target = layer as { handle?: unknown };
  const handle = target.handle;
  if (typeof handle !== 'function') return UNCHANGED;
  try {
    target.handle = carryingFalsy(handle as LayerHandler);
    return handle;
  } catch {
    return UNCHANGED;
  }
}

/** Puts back what {@link carryIn} took out. */
function carryOut(layer: unknown, handle: unknown): void {
  if (handle !== UNCHANGED) (layer as { handle?: unknown }).handle = handle;
}

/** Replaces `proto[name]` with a method that passes {@link defusing} `next` at `index`. */
function patchMethod(proto: Record<string, unknown>, name: string, index: number): void {
  const original = proto[name];
  if (!Object.hasOwn(proto, name) || typeof original !== 'function') return;
  const call = original as (this: unknown, ...args: unknown[]) => unknown;
  // Fixed parameters, no rest array (Express reads no layer method's arity).
  proto[name] =
    index === 2
      ? function handleRequest(this: unknown, request: unknown, response: unknown, next: unknown) {
          const handle = carryIn(this);
          try {
            return call.call(this, request, response, defusing(next));
          } finally {
            carryOut(this, handle);
          }
        }
      : function handleError(this: unknown, error: unknown, request: unknown, response: unknown, next: unknown) {
          const handle = carryIn(this);
          try {
            return call.call(this, error, request, response, defusing(next));
          } finally {
            carryOut(this, handle);
          }
        };
}

/**
 * Makes the layers of `stack`'s router (and of every router and route of that Express, which
 * share the prototype) pass their handlers a `next` that marks a thrown rejecting promise
 * handled, once per prototype. Never throws: a frozen prototype keeps Express's methods.
 */
export function defuseLayerNext(stack: readonly unknown[]): void {
  try {
    const first = stack[0];
    if (typeof first !== 'object' || first === null) return;
    const proto = Object.getPrototypeOf(first) as Record<string, unknown> | null;
    if (proto === null || proto === Object.prototype || prototypes.has(proto)) return;
    prototypes.add(proto);
    for (const [name, index] of METHODS) patchMethod(proto, name, index);
  } catch {
    // A frozen prototype: such a promise past 100 synchronous layers still ends the process.
  }
}

/** A parameter callback: `(req, res, next, value, name)`. */
type ParamCallback = (this: unknown, ...args: unknown[]) => unknown;

/** The wrappers {@link defuseParams} made. */
const wrappedParams = new WeakSet<object>();

/** Lists of parameter callbacks, with how many entries each had when they were last wrapped. */
const wrappedLists = new WeakMap<object, number>();

/** `callback`, marking a promise it throws or passes to `next` handled. */
function defusingParam(callback: ParamCallback): ParamCallback {
  const wrapped = function param(
    this: unknown,
    request: unknown,
    response: unknown,
    next: unknown,
    value: unknown,
    name: unknown,
  ) {
    try {
      return callback.call(this, request, response, defusing(next), value, name);
    } catch (error) {
      // Thrown on (the router's own try/catch passes it to `next`), a falsy value carried.
      defuseThrownPromise(error);
      throw truthy(error);
    }
  };
  wrappedParams.add(wrapped);
  return wrapped;
}

/**
 * Wraps the parameter callbacks of `router` (its `params`: name to list of callbacks, Express 4
 * and the `router` package alike) not wrapped yet, in place. Never throws.
 */
export function defuseParams(router: { readonly params?: unknown }): void {
  try {
    const params = router.params;
    if (typeof params !== 'object' || params === null || types.isProxy(params)) return;
    for (const name in params) {
      const list = (params as Record<string, unknown>)[name];
      if (!Array.isArray(list) || wrappedLists.get(list) === list.length) continue;
      for (let i = 0; i < list.length; i += 1) {
        const callback = list[i] as unknown;
        if (typeof callback === 'function' && !wrappedParams.has(callback))
          list[i] = defusingParam(callback as ParamCallback);
      }
      wrappedLists.set(list, list.length);
    }
  } catch {
    // A frozen list: its callbacks hand errors to the router as they are.
  }
}
