/**
 * Fastify's default error handler, answered by Faultline on the servers Faultline is registered
 * on. A route takes its error handler when Fastify builds it, in an avvio `after` callback queued
 * when the route is registered (lib/route.js): a route registered before the plugin (on the root,
 * in a scope loaded earlier, or right after an `app.register(faultline)` that was not awaited
 * but before it loaded) keeps the handler its scope had then, Fastify's default one, which sends
 * `error.message` to the client (`{"statusCode":500,...,"message":"secret postgres://..."}`), a
 * thrown string as the body and `null` as `null`. Fastify's router, which holds those routes'
 * contexts, is private to lib/route.js (`findRoute` hands out no context), and no server option
 * sets an error handler; what every such context does hold is the last link of Fastify's handler
 * chain (lib/error-handler.js, `rootErrorHandler`), also the link every scope's and route's own
 * handler falls back to. That link's function becomes a dispatcher: for a request of a server
 * (or scope) with Faultline, Faultline's handler answers; for any other server, Fastify's own
 * default handler runs as before (the link is shared by every Fastify server of the process).
 *
 * Fastify moves on to the link below when an answer fails (an `onSend` hook throws on it); below
 * the last link it writes the new error's message itself. So when Faultline answers from the last
 * link, the reply's next link becomes Faultline's handler once more, as the doubled root link does
 * for routes registered after the plugin (error-chain.ts): the failed answer's bytes are then
 * written without hooks. The link is found by its symbol's description (fastify-symbols.ts); in a
 * Fastify version that keeps its handlers some other way nothing changes, and the plugin says so.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fastifySymbol } from './fastify-symbols.js';

/** An error handler as Fastify's chain calls it (`func(error, request, reply)`). */
export type FaultAnswer = (error: never, request: FastifyRequest, reply: FastifyReply) => void;

/** Faultline's handler for the server (or scope) a request belongs to, or undefined where it is not registered. */
export type AnswerLookup = (server: object) => FaultAnswer | undefined;

/** A link of Fastify's error handler chain. */
export interface ErrorHandlerLink {
  func?: unknown;
}

type Handler = (this: unknown, error: unknown, request: unknown, reply: unknown) => unknown;

/** Past this many links the walk stops (a cycle would be a bug, not a reason to hang). */
const MAX_LINKS = 64;

/** True for the function {@link answerDefaultErrors} put on the last link. */
export function isDispatcher(value: unknown): boolean {
  return typeof value === 'function' && dispatchers.has(value);
}

/** Dispatchers made here, so the last link is taken over once per process. */
const dispatchers = new WeakSet<object>();

/** True for a link of Fastify's error handler chain (an object with a `func`). */
export function isLink(value: unknown): value is ErrorHandlerLink {
  return typeof value === 'object' && value !== null && typeof (value as ErrorHandlerLink).func === 'function';
}

/** The last link of the chain `app`'s error handler starts (the one whose function is Fastify's default). */
export function lastLink(app: object): ErrorHandlerLink | undefined {
  const symbol = fastifySymbol(app, 'fastify.errorHandler');
  if (symbol === undefined) return undefined;
  let link: unknown = (app as Record<symbol, unknown>)[symbol];
  for (let i = 0; i < MAX_LINKS && isLink(link); i += 1) {
    const below: unknown = Object.getPrototypeOf(link);
    if (!isLink(below)) return Object.hasOwn(link, 'func') ? link : undefined;
    link = below;
  }
  return undefined;
}

/** The server a request belongs to, read without trusting the request's shape. */
function serverOf(request: unknown): object | undefined {
  const server = typeof request === 'object' && request !== null ? (request as { server?: unknown }).server : undefined;
  return typeof server === 'object' && server !== null ? server : undefined;
}

/**
 * Makes the last link of `app`'s error handler chain answer through `lookup`'s handler for every
 * request whose server has one (and Fastify's default handler for the others). Returns false,
 * changing nothing, when this Fastify keeps its handlers some other way.
 */
export function answerDefaultErrors(app: object, lookup: AnswerLookup): boolean {
  const link = lastLink(app);
  if (link === undefined) return false;
  const previous = link.func as Handler;
  if (dispatchers.has(previous)) return true;
  let nextLink: symbol | undefined; // Fastify's `kReplyNextErrorHandler`, found on the first reply
  const dispatch = function defaultErrorHandler(this: unknown, error: unknown, request: unknown, reply: unknown) {
    const server = serverOf(request);
    const answer = server === undefined ? undefined : lookup(server);
    if (answer === undefined) return previous.call(this, error, request, reply);
    nextLink ??= fastifySymbol(reply as object, 'fastify.reply.nextErrorHandler');
    if (nextLink !== undefined) {
      const holder = reply as Record<symbol, unknown>;
      // Nothing below this link: a failure of this answer comes back to Faultline once (then Fastify's fallback).
      if (!isLink(holder[nextLink])) holder[nextLink] = { func: answer };
    }
    answer(error as never, request as FastifyRequest, reply as FastifyReply);
    return undefined;
  };
  // `toJSON` of the link (route listings) prints the function's name: it stays Fastify's.
  Object.defineProperty(dispatch, 'name', { value: previous.name });
  dispatchers.add(dispatch);
  link.func = dispatch;
  return true;
}
