/**
 * The hooks that run before the handler (`onRequest`, `preParsing`, `preValidation`,
 * `preHandler`), watched for a failure after `reply.hijack()`. Fastify's hook runners hand such a
 * failure to a callback that returns at once on a sent reply: a hook that hijacked and then threw,
 * rejected or called `done(error)` left the client waiting forever, and nothing was recorded.
 * (An `onSend`, `preSerialization` or `onError` hook's failure reaches Faultline's error handler,
 * which answers a hijacked reply on its raw response: respond.ts.)
 *
 * The wrapper keeps what the hook returned in the reply's hijack slot (hijack-watch.ts), so a
 * later `hijack` watches the promise; a synchronous throw on a sent reply is answered in its
 * catch, without the rethrow (Fastify would drop it). A callback hook (a plain function declaring
 * `done`) gets a `done` of its own, which answers an error passed after a hijack: one closure per
 * call of such a hook, the only allocation the watch adds (an async hook, or one returning a
 * promise, costs a call and a store). A falsy value thrown synchronously (`throw null`), which
 * Fastify's runners take for success (the handler ran, the hooks after it did not), reaches
 * Fastify inside a carrier: a failure, answered as the value itself. A returned value that is not
 * a native promise is read once here (Fastify reads its `then` outside any `try`: a Proxy or a
 * throwing getter there was an uncaught exception, the request unanswered): a thenable is followed
 * through a native promise, a failing read is the hook's failure. The payload stream a
 * `preParsing` hook hands on (to `done`, or as its promise's value) is guarded (payload-stream.ts):
 * one closure more per call of a callback preParsing hook, one promise reaction for an async one.
 */
import { types } from 'node:util';
import { carryThrown } from '@faultline/core/adapter';
import type { FastifyReply } from 'fastify';
import { answeredHookFailure, type HijackedFault, noteHandlerResult } from './hijack-watch.js';
import { guardingPayloadDone, guardPayloadResult } from './payload-stream.js';
import { adoptReturned } from './returned-thenable.js';

/** Where `done` sits in the arguments of each hook kind watched here. */
const DONE_AT: Readonly<Record<string, number>> = { onRequest: 2, preParsing: 3, preValidation: 2, preHandler: 2 };

/** The names of the hook kinds watched here. */
export const EARLY_HOOKS = Object.keys(DONE_AT);

/** True for the names of the hook kinds watched here. */
export function isEarlyHook(name: string): boolean {
  return Object.hasOwn(DONE_AT, name);
}

/** Functions this module made, so a hook seen twice is wrapped once. */
const watched = new WeakSet<object>();

/** A hook as Fastify calls it. */
type Hook = (this: unknown, request: unknown, reply: unknown, third?: unknown, fourth?: unknown) => unknown;
type Done = (error?: unknown, value?: unknown) => void;

/**
 * The `name` hook `original` wrapped so that its failure after `reply.hijack()` goes to `fail`
 * (answered on the raw response, and recorded). Any other failure reaches Fastify as before. An
 * async hook Fastify refuses at registration (one declaring `done`) is left as it is, so Fastify
 * still refuses it; the wrapper of an accepted async hook declares the same parameters.
 */
export function watchHookHijack<F>(name: string, original: F, fail: HijackedFault): F {
  if (typeof original !== 'function' || watched.has(original) || !isEarlyHook(name)) return original;
  const hook = original as unknown as Hook;
  const doneAt = DONE_AT[name] as number;
  const isAsync = types.isAsyncFunction(hook);
  if (isAsync && hook.length > doneAt) return original;
  const callback = !isAsync && hook.length > doneAt;

  const wrapped = function hijackWatchedHook(this: unknown, request: unknown, reply: unknown, third: unknown, fourth) {
    const r = reply as FastifyReply;
    let result: unknown;
    try {
      if (!callback) result = hook.call(this, request, reply, third, fourth);
      else if (doneAt === 2) result = hook.call(this, request, reply, watchedDone(r, third as Done, fail));
      else {
        const payloadDone = guardingPayloadDone(fourth as Done, rawOf(request));
        result = hook.call(this, request, reply, third, watchedDone(r, payloadDone, fail));
      }
    } catch (error) {
      // On a sent reply, Fastify's runner would drop it: answered here instead.
      if (answeredHookFailure(r, error, fail)) return undefined;
      // Fastify's runner hands a thrown `null` (any falsy value) to its callback as "no error":
      // the rest of the hooks were skipped and the handler ran. Carried, it is a failure.
      throw error ? error : carryThrown(error, 'a hook');
    }
    // Fastify reads `then` of what a hook returns outside its `try`: a Proxy or a throwing getter
    // there threw out of the request handler (an uncaught exception), so such a value is adopted here.
    result = adoptReturned(result);
    // A preParsing hook's new payload stream: its failures reach Fastify readable (payload-stream.ts).
    if (doneAt === 3) result = guardPayloadResult(result, rawOf(request));
    noteHandlerResult(r, result, fail);
    return result;
  } as Hook;
  // Fastify's registration checks read the parameter count (and `AsyncFunction` of the original).
  Object.defineProperty(wrapped, 'length', { value: hook.length });
  watched.add(wrapped);
  return wrapped as unknown as F;
}

/** The Node request of a Fastify request. */
function rawOf(request: unknown): unknown {
  return (request as { raw?: unknown }).raw;
}

/** A `done` that answers an error passed on a sent reply, then calls Fastify's (which drops it). */
function watchedDone(reply: FastifyReply, done: Done, fail: HijackedFault): Done {
  return (error?: unknown, value?: unknown) => {
    // Fastify's own test (`if (err)`): a falsy value passed to `done` is a success.
    if (error) answeredHookFailure(reply, error, fail);
    done(error, value);
  };
}
