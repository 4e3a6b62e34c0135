/**
 * `asyncHandler(fn)`: for Express 4 (which ignores a rejected promise) and for any value a
 * handler may throw or reject with. Express treats a falsy `next(value)` as "no error" and goes on
 * to the next route (the request ends as a 404); the wrapper hands such a value over inside a
 * {@link FalsyThrow}, so it is answered as the server failure it is. The strings `'route'` and
 * `'router'` are Express's own words too (skip the rest of this route, or leave this router: the
 * next matching route runs, or finalhandler answers 404 in HTML): thrown, they are carried inside
 * core's carrier, which the error middleware opens.
 */
import { carryThrown, isThenable } from '@faultline/core/adapter';
import type { ExpressRequest, ExpressResponse, NextFunction, ParamHandler, RequestHandler } from './types.js';
import { unreadable } from './unreadable.js';

/** Carries a falsy thrown or rejected value (`undefined`, `null`, `0`, `''`, `false`, `NaN`) through `next`. */
export class FalsyThrow extends Error {
  constructor(readonly value: unknown) {
    super('a handler threw or rejected with a falsy value');
    this.name = 'FalsyThrow';
  }
}

/** The value to pass to `next`: never falsy, and never one of Express's skip words. */
export function nextValue(thrown: unknown): unknown {
  if (!thrown) return new FalsyThrow(thrown);
  return thrown === 'route' || thrown === 'router' ? carryThrown(thrown, 'Express') : thrown;
}

/**
 * Hands `thrown` to `next`. Express's own `next` never throws (each layer runs inside a
 * try/catch), so a throw comes from code wrapping it. When that code could not read the value (a
 * tracer's layer wrapper, before it calls Express's), the value goes again, inside a carrier; any
 * other throw is left as it was, so `next` is never called twice for one failure it reached.
 */
export function handOver(next: NextFunction, thrown: unknown): void {
  try {
    next(nextValue(thrown));
  } catch (failure) {
    if (!unreadable(thrown)) throw failure;
    next(carryThrown(thrown, 'Express'));
  }
}

/**
 * Wraps a sync or async handler so every throw and rejection reaches the error middleware; an
 * `app.param` or `router.param` callback too, which Express calls with the parameter's value and
 * name after `next` (Express 4 ignores its rejected promise as well).
 */
export function asyncHandler(handler: RequestHandler): RequestHandler;
export function asyncHandler(handler: ParamHandler): ParamHandler;
export function asyncHandler(handler: RequestHandler | ParamHandler): RequestHandler & ParamHandler {
  // The value and name are passed on (a param callback needs them). Their defaults keep the
  // wrapper's `length` at 3: Express 4 skips a middleware with more (it would be taken for an
  // error middleware at 4), and allocates nothing for a rest parameter.
  return (
    request: ExpressRequest,
    response: ExpressResponse,
    next: NextFunction,
    value: string | undefined = undefined,
    name: string | undefined = undefined,
  ) => {
    try {
      const result = (handler as ParamHandler)(request, response, next, value as string, name as string);
      if (isThenable(result)) result.then(undefined, (error: unknown) => handOver(next, error));
    } catch (error) {
      handOver(next, error);
    }
  };
}
