/**
 * `asyncErrorHandler(fn)`: `asyncHandler` for an application's own error middleware
 * (`(err, req, res, next)`). Express 4 ignores the promise an error middleware returns: its
 * rejection went unhandled (Node's default ends the process) and the request never got an
 * answer. `asyncHandler` cannot take one: its wrapper has three parameters, and Express tells
 * error middleware apart by four, so it ran the wrapper on the success path and skipped it on the
 * error path. On both majors a falsy value thrown there means "no error" to Express (the failure
 * ended as the not-found answer), and `'route'` / `'router'` one of its skip words. The wrapper
 * keeps four parameters and hands every throw and rejection to `next` as `asyncHandler` does.
 */
import { isThenable } from '@faultline/core/adapter';
import { handOver } from './async-handler.js';
import type { ErrorRequestHandler, ExpressRequest, ExpressResponse, NextFunction } from './types.js';

/** An application error middleware: sync or async, four parameters. */
export type ApplicationErrorHandler = (
  error: unknown,
  request: ExpressRequest,
  response: ExpressResponse,
  next: NextFunction,
) => unknown;

/**
 * Wraps an error middleware so its throws and rejections reach the next error middleware
 * (`fl.errorHandler`), a falsy value or a skip word included, on Express 4 and 5.
 *
 * @example
 * app.use(asyncErrorHandler(async (err, req, res, next) => {
 *   await audit.write(req.id);
 *   next(err);
 * }));
 * app.use(fl.errorHandler);
 */
export function asyncErrorHandler(handler: ApplicationErrorHandler): ErrorRequestHandler {
  return (error: unknown, request: ExpressRequest, response: ExpressResponse, next: NextFunction) => {
    try {
      const result = handler(error, request, response, next);
      if (isThenable(result)) result.then(undefined, (failure: unknown) => handOver(next, failure));
    } catch (failure) {
      handOver(next, failure);
    }
  };
}
