/**
 * What an application's interceptor returns: its intercepting call, checked (grpc-js calls its
 * methods where nothing catches a throw), and the promises its `async` hooks and listeners
 * return, followed. grpc-js calls each hook of a `ServerInterceptingCall` (`start`,
 * `sendMetadata`, `sendMessage`, `sendStatus`) and each listener event it was given
 * (`onReceiveMetadata`, `onReceiveMessage`, `onReceiveHalfClose`, `onCancel`) and drops what it
 * returns: a rejected promise is an unhandled rejection (which ends the process) and the call
 * waits for its deadline. Here, each hook the application gave its intercepting call, and each
 * listener event its `start` passes on, is replaced by one that hands a rejection of what it
 * returns to the guard. Reads and replaces grpc-js's `ServerInterceptingCall#responder`
 * (internal; one object per intercepting call, made by its constructor): when it is not there,
 * nothing changes.
 */
import { ServerInterceptingCall, type ServerInterceptingCallInterface } from '@grpc/grpc-js';

/** What answers a call whose hook failed (the guard of `interceptor-guard.ts`); never throws. */
export interface Failing {
  fail(error: unknown): void;
}

/** A hook or listener event: grpc-js passes each at most two arguments (a value and `next`). */
type Hook = (this: unknown, value?: unknown, next?: unknown) => unknown;
type Hooks = Record<string, unknown>;

const RESPONDER_HOOKS = ['start', 'sendMetadata', 'sendMessage', 'sendStatus'] as const;
const LISTENER_EVENTS = ['onReceiveMetadata', 'onReceiveMessage', 'onReceiveHalfClose', 'onCancel'] as const;

/** The responder of an intercepting call made without one: grpc-js's defaults, synchronous. */
function responderOf(call: object): Hooks | undefined {
  const responder: unknown = (call as { responder?: unknown }).responder;
  return typeof responder === 'object' && responder !== null ? (responder as Hooks) : undefined;
}
const DEFAULTS = responderOf(new ServerInterceptingCall(undefined as never)) ?? {};

/** Hands a rejection of `result` (what a hook returned, a promise or not) to `guard`. Never throws. */
function failOnRejection(result: unknown, guard: Failing): void {
  if ((typeof result !== 'object' && typeof result !== 'function') || result === null) return;
  try {
    const then: unknown = (result as { then?: unknown }).then;
    if (typeof then === 'function') then.call(result, undefined, (error: unknown) => guard.fail(error));
  } catch {
    // A `then` that throws: no promise to follow (grpc-js ignores the value as well).
  }
}

/** `hook`, with a rejection of what it returns handed to `guard`. */
function followed(hook: Hook, guard: Failing): Hook {
  return function followedHook(this: unknown, value?: unknown, next?: unknown) {
    const result = hook.call(this, value, next);
    failOnRejection(result, guard);
    return result;
  };
}

/**
 * The listener an application's `start` hands grpc-js, with every event it has followed. Reading
 * it may throw (a Proxy): the throw goes to the guarded `start`, as grpc-js's own read would.
 */
function followListener(listener: unknown, guard: Failing): unknown {
  if (typeof listener !== 'object' || listener === null) return listener;
  const events = listener as Hooks;
  const copy: Hooks = {};
  for (const event of LISTENER_EVENTS) {
    const hook = events[event];
    copy[event] = typeof hook === 'function' ? followed(hook as Hook, guard) : hook;
  }
  return copy;
}

/**
 * Follows the hooks the application gave `call` (an intercepting call its interceptor returned),
 * and the listener events its `start` passes on: a rejection of what one returns goes to
 * `guard`. grpc-js's default hooks are left as they are. Never throws.
 */
export function followHooks(call: unknown, guard: Failing): void {
  try {
    if (!(call instanceof ServerInterceptingCall)) return;
    const responder = responderOf(call);
    if (responder === undefined) return;
    for (const name of RESPONDER_HOOKS) {
      const hook = responder[name];
      if (typeof hook !== 'function' || hook === DEFAULTS[name]) continue;
      responder[name] =
        name === 'start'
          ? followed(function start(this: unknown, next: unknown) {
              const pass = next as (listener: unknown) => void;
              return (hook as Hook).call(this, (listener: unknown) => pass(followListener(listener, guard)));
            }, guard)
          : followed(hook as Hook, guard);
    }
  } catch {
    // A call that cannot be read (a Proxy): grpc-js's own use of it fails, inside the guard.
  }
}

/** The methods grpc-js calls on an intercepting call: a value without them would throw there. */
const CALL_METHODS = ['start', 'sendMetadata', 'sendMessage', 'sendStatus', 'startRead'] as const;

/** True when `value` can stand as an intercepting call (grpc-js calls its `start`, `send*`, …). Never throws. */
export function isInterceptingCall(value: unknown): value is ServerInterceptingCallInterface {
  try {
    if (value instanceof ServerInterceptingCall) return true;
    const call = value as Record<string, unknown> | null;
    return typeof call === 'object' && call !== null && CALL_METHODS.every((m) => typeof call[m] === 'function');
  } catch {
    // A Proxy whose traps throw.
    return false;
  }
}

/** A promise-like result: its rejection is handled (the call is answered as `InterceptorReturnedNoCall`), not left unhandled. */
export function settleQuietly(value: unknown): void {
  try {
    const then = (value as { then?: unknown } | null)?.then;
    if (typeof then === 'function') then.call(value, undefined, () => undefined);
  } catch {
    // A throwing `then` getter: nothing to settle.
  }
}
