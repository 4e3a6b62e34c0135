/**
 * A route handler or hook that fails after `reply.hijack()`. Fastify sends nothing on a hijacked
 * reply: what a handler then throws reaches `reply.send`, which only warns that the reply was
 * sent, what its promise rejects with is logged raw ("Promise errored, but reply.sent = true was
 * set"), and what an `onRequest`, `preParsing`, `preValidation` or `preHandler` hook throws,
 * rejects with or passes to `done` is dropped (the runner's callback returns on `reply.sent`).
 * The client waited for an answer that never came, and Faultline recorded nothing.
 *
 * Watched here at no cost to a request that never hijacks, beyond one store per guarded handler
 * or hook: the guard (handler-guard.ts, hook-hijack.ts) keeps what it returned in a reply slot
 * declared at registration, and Faultline's `hijack` (a reply decoration in front of Fastify's)
 * reads that slot only when it is called. A hijack before the handler returned gives that one
 * reply its own `send`, which takes the value Fastify hands it when the handler throws (Fastify's
 * catch marks that call with its `isError` symbol): no catch and rethrow around every handler. A
 * promise returned by a handler or hook that hijacks (before or after it returned) gets one
 * rejection reaction. The failure is then answered on the raw response (respond.ts
 * `answerHijacked`), once, whichever way it arrives.
 */
import { types } from 'node:util';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { replyIsErrorSymbol } from './fastify-symbols.js';
import { catchRejectionLine } from './hijack-log.js';

/** What answers a handler's failure after `reply.hijack()`; the plugin's, bound to its responder. */
export type HijackedFault = (error: unknown, request: FastifyRequest, reply: FastifyReply) => void;

/**
 * Reply property holding the handler's state for the watch: declared with `decorateReply` (null),
 * so Fastify's replies keep one shape. Null until the handler returns; then what it returned, or
 * one of the markers below.
 */
export const HIJACK_PROPERTY = 'faultlineHijack';

/** Hijacked while the handler had not returned (or outside a guarded handler): the guard arms the watch. */
const HIJACKED: unique symbol = Symbol('faultline.hijacked');
/** Watched already, or nothing left to watch. */
const WATCHED: unique symbol = Symbol('faultline.hijack-watched');
/** A failure after the hijack was answered: any other is not answered again. */
const ANSWERED: unique symbol = Symbol('faultline.hijack-answered');
/** An error handler took over the reply: a `hijack` from there on is the error path's own. */
const CLOSED: unique symbol = Symbol('faultline.hijack-closed');

type Slot = { [HIJACK_PROPERTY]?: unknown };

/** Faultline's `hijack` decorations, so the one called can find Fastify's behind them. */
const decorations = new WeakSet<object>();

/** True for the slot's markers (anything else is what a handler or hook returned, or null). */
function isMarker(state: unknown): boolean {
  return state === HIJACKED || state === WATCHED || state === ANSWERED || state === CLOSED;
}

/**
 * `fail` for `error`, once per reply and never once an error handler took the reply over; never
 * throwing: if answering fails, the response is destroyed (the client never waits).
 */
function failSafely(fail: HijackedFault, error: unknown, reply: FastifyReply): void {
  const slot = reply as Slot;
  if (slot[HIJACK_PROPERTY] === ANSWERED || slot[HIJACK_PROPERTY] === CLOSED) return;
  slot[HIJACK_PROPERTY] = ANSWERED;
  try {
    fail(error, reply.request, reply);
  } catch {
    try {
      reply.raw.destroy();
    } catch {
      // already gone
    }
  }
}

/** One rejection reaction on the handler's promise, answering what it rejects with. */
function watchPromise(result: unknown, reply: FastifyReply, fail: HijackedFault): void {
  // Only native promises, with the intrinsic `then`: a thenable's own code is never run here.
  if (!types.isPromise(result)) return;
  Promise.prototype.then.call(result, undefined, (error: unknown) => failSafely(fail, error, reply));
}

/**
 * After a guarded handler or hook returned `result`: kept for a later `hijack` (replacing what an
 * earlier hook returned), or watched now when it hijacked before returning a promise, or returned
 * a promise on a reply already sent (its rejection is recorded, Fastify's raw line for it not
 * logged). The only work a request that does neither pays for is a store and a test.
 */
export function noteHandlerResult(reply: FastifyReply, result: unknown, fail: HijackedFault): void {
  const slot = reply as Slot;
  const state = slot[HIJACK_PROPERTY];
  if (state === HIJACKED) {
    // A callback hook that hijacked returns nothing: its `done` is watched instead (hook-hijack.ts).
    if (!types.isPromise(result)) return;
    slot[HIJACK_PROPERTY] = WATCHED;
    watchPromise(result, reply, fail);
  } else if (!isMarker(state)) {
    slot[HIJACK_PROPERTY] = result;
    // Sent already, still working ("reply 202, then keep working"): Fastify would log what the
    // promise rejects with raw (a hook runner drops it). Recorded once instead, the line swallowed.
    if (types.isPromise(result) && reply.sent === true) {
      slot[HIJACK_PROPERTY] = WATCHED;
      watchPromise(result, reply, fail);
      catchRejectionLine(reply, (error) => failSafely(fail, error, reply));
    }
  }
}

/**
 * After the guarded handler threw `error`: true when it had hijacked the reply, and the error was
 * answered here; false when Fastify must handle it as usual.
 */
export function answeredHijackedThrow(reply: FastifyReply, error: unknown, fail: HijackedFault): boolean {
  const slot = reply as Slot;
  if (slot[HIJACK_PROPERTY] !== HIJACKED) return false;
  failSafely(fail, error, reply);
  return true;
}

/**
 * A hook's or handler's failure (`error`, thrown or passed to `done`) on a reply Fastify will no
 * longer send (hijacked, or ended on its raw response): answered (or only recorded, when the
 * response ended) and true; false when Fastify handles it as usual. A second failure is not
 * answered again.
 */
export function answeredHookFailure(reply: FastifyReply, error: unknown, fail: HijackedFault): boolean {
  if (reply.sent !== true) return false;
  failSafely(fail, error, reply);
  return true;
}

/** Marks `reply` as taken over by an error handler: a later `hijack` (the error path's own) arms nothing. */
export function closeHijackWatch(reply: unknown): void {
  if (typeof reply === 'object' && reply !== null) (reply as Slot)[HIJACK_PROPERTY] = CLOSED;
}

/**
 * Gives `reply` (hijacked while its handler runs) a `send` of its own: Fastify calls it with what
 * the handler throws, marked with its `isError` symbol, and that value goes to `fail`. Any other
 * call (the handler's own `reply.send` after hijacking, or one once the handler returned) is
 * Fastify's `send`, which warns that the reply was sent.
 */
function catchThrow(reply: FastifyReply, fail: HijackedFault): void {
  const isError = replyIsErrorSymbol(reply);
  if (isError === null) return;
  const send = reply.send;
  Object.defineProperty(reply, 'send', {
    configurable: true,
    writable: true,
    value: function sendAfterHijack(this: FastifyReply, payload?: unknown): FastifyReply {
      const marked = this as unknown as Record<symbol, unknown> & Slot;
      if (marked[HIJACK_PROPERTY] !== HIJACKED || marked[isError] !== true) return send.call(this, payload);
      marked[isError] = false;
      failSafely(fail, payload, this);
      return this;
    },
  });
}

/**
 * Called by Faultline's `hijack`: arms the watch for `reply`, per the slot's state. What a handler
 * or hook returned (a promise still pending, when it is the one running) is watched; then, as
 * when nothing was returned yet, a throw of the running handler is caught: the slot cannot tell
 * whether what it holds came from this stage or from a hook before it, and a settled promise is
 * never answered for.
 */
function armWatch(reply: FastifyReply, fail: HijackedFault): void {
  const slot = reply as Slot;
  const state = slot[HIJACK_PROPERTY];
  if (isMarker(state)) return;
  if (state !== null) watchPromise(state, reply, fail);
  slot[HIJACK_PROPERTY] = HIJACKED;
  catchThrow(reply, fail);
  // A rejection of a handler the plugin did not guard shows only in Fastify's log line; on a
  // guarded one, that line (the raw error) is answered once with the watch's reaction, not logged.
  catchRejectionLine(reply, (error) => failSafely(fail, error, reply));
}

/** The `hijack` own to `proto`, if it has one. */
function ownHijack(proto: object): unknown {
  return Object.getOwnPropertyDescriptor(proto, 'hijack')?.value;
}

/**
 * The `hijack` that `decoration` stands in front of on `reply`'s prototype chain: the first one
 * behind the prototype holding `decoration` that is not one of Faultline's (Fastify's own, or
 * another plugin's, which calls on to the next). Searching from the reply itself could find a
 * plugin's decoration that calls back into this one, endlessly.
 */
function hijackBehind(reply: object, decoration: object): ((this: unknown) => unknown) | undefined {
  const parent = (proto: object) => Object.getPrototypeOf(proto) as object | null;
  let holder = parent(reply);
  while (holder !== null && ownHijack(holder) !== decoration) holder = parent(holder);
  for (let proto = parent(holder ?? reply); proto !== null; proto = parent(proto)) {
    const own = ownHijack(proto);
    if (typeof own === 'function' && !decorations.has(own)) return own as (this: unknown) => unknown;
  }
  return undefined;
}

/**
 * Declares the reply slot and decorates `hijack` on `app`'s replies (and those of the scopes it
 * encloses): Fastify's `hijack` runs, then the watch is armed, with `fail` answering. Where the
 * scope's replies already have a `hijack` decoration of another plugin, it is left as it is and
 * hijacked handlers are not watched.
 */
export function watchHijacks(app: FastifyInstance, fail: HijackedFault): void {
  if (!app.hasReplyDecorator(HIJACK_PROPERTY)) app.decorateReply(HIJACK_PROPERTY, null);
  const hijack = function hijack(this: FastifyReply): FastifyReply {
    const original = hijackBehind(this, hijack);
    const returned = original === undefined ? this : original.call(this);
    armWatch(this, fail);
    return returned as FastifyReply;
  };
  decorations.add(hijack);
  try {
    app.decorateReply('hijack', hijack);
  } catch {
    // FST_ERR_DEC_ALREADY_PRESENT: another plugin decorated `hijack` in this scope.
  }
}
