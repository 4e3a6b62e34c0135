/**
 * The parts of Express's request and response the adapter uses, typed structurally so one
 * implementation serves Express 5 and Express 4 without depending on either's type package.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An Express request (4 or 5): Node's request plus what Express's router adds. */
export interface ExpressRequest extends IncomingMessage {
  /** The correlation id the Faultline middleware gave this request. */
  id?: unknown;
  /** Parsed body (body-parser / `express.json()`), if any. */
  body?: unknown;
  /** Parsed query (a getter on Express 5). */
  readonly query?: unknown;
  /** Route parameters. */
  readonly params?: unknown;
  /** The matched route (its pattern is logged, never the raw URL). */
  readonly route?: { readonly path?: unknown } | undefined;
  /** The mount path of the router that matched. */
  readonly baseUrl?: string;
}

/** An Express response: Node's response is all the adapter writes through. */
export type ExpressResponse = ServerResponse;

/** Express's `next`. */
export type NextFunction = (error?: unknown) => void;

/** A middleware. */
export type RequestHandler = (request: ExpressRequest, response: ExpressResponse, next: NextFunction) => unknown;

/**
 * An `app.param` / `router.param` callback: Express calls it with the route parameter's decoded
 * value and its name after `next`.
 */
export type ParamHandler = (
  request: ExpressRequest,
  response: ExpressResponse,
  next: NextFunction,
  value: string,
  name: string,
) => unknown;

/** An error middleware (four arguments: Express tells them apart by `length`). */
export type ErrorRequestHandler = (
  error: unknown,
  request: ExpressRequest,
  response: ExpressResponse,
  next: NextFunction,
) => void;
