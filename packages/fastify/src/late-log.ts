/**
 * Fastify's line for a handler promise that rejects once its reply was sent (lib/wrap-thenable.js:
 * `reply.log.error({ err }, 'Promise errored, but reply.sent = true was set')`) holds the raw
 * message, stack and own properties of the error, unredacted, with a logger; without one it is
 * dropped. Nothing tells at the handler's return that it will send (an async handler that sends
 * after an `await`, then fails), so the guards cannot catch it at no cost: its line is caught here.
 *
 * At no cost to a request: the server's logger (`app.log`, its own object per server) gets an
 * `error` of its own, which a request's child logger inherits (pino children are
 * `Object.create(parent)`; without a logger every request logs through `app.log` itself). It
 * hands exactly Fastify's line to `late`, with the request id the child's bindings hold, and
 * passes every other call on untouched. Pino reinstalls a logger's level methods when its level
 * changes (`app.log.level = ...`, or a route's own `logLevel`, for each of its requests' children):
 * the server's logger gets a `setLevel` of its own too (inherited by its children alone), which
 * puts the `error` back on the logger whose level changed. The application's own logger instance
 * (Fastify logs through a child of it) and every other server's logger stay as they are.
 */
import type { FastifyInstance } from 'fastify';
import { fastifyInternal, fastifySymbol } from './fastify-symbols.js';
import { type LogMethod, rejectionLineError } from './hijack-log.js';

/**
 * Takes a late rejection Fastify was about to log: `error`, with the id Fastify bound to the
 * request's logger (undefined without one), and `write`, which logs a line through the logger's
 * own `error` (for a line that replaces Fastify's).
 */
export type LateRejection = (
  error: unknown,
  requestId: unknown,
  write: (fields: object, message: string) => void,
) => void;

/** Loggers whose line is caught already (a second registration of the plugin catches nothing more). */
const caught = new WeakSet<object>();

/** The catching `error`s made here: never wrapped again. */
const catching = new WeakSet<object>();

/** The label Fastify binds a request's id under in its child loggers (`requestIdLogLabel`). */
function requestIdLabel(app: FastifyInstance): string {
  const controller = fastifyInternal(app, 'fastify.logController') as { requestIdLogLabel?: unknown } | undefined;
  const label =
    controller?.requestIdLogLabel ?? (app.initialConfig as { requestIdLogLabel?: unknown }).requestIdLogLabel;
  return typeof label === 'string' ? label : 'reqId';
}

/** The request id bound to `logger` under `label`, if it has pino's `bindings` and one is there. */
function boundId(logger: unknown, label: string): unknown {
  const bindings = (logger as { bindings?: unknown } | null)?.bindings;
  if (typeof bindings !== 'function') return undefined;
  try {
    return (bindings.call(logger) as Record<string, unknown> | undefined)?.[label];
  } catch {
    return undefined;
  }
}

/**
 * An `error` for `holder`: Fastify's line goes to `late`, any other call to `own` (the method it
 * replaces on `holder`) or, when `holder` had none of its own, to the one `holder` inherits at the
 * time of the call (which follows level changes of the application's logger).
 */
function catchingError(holder: object, own: LogMethod | undefined, label: string, late: LateRejection): LogMethod {
  const base = (): LogMethod => own ?? ((Object.getPrototypeOf(holder) as { error: LogMethod }).error as LogMethod);
  const error = function errorOrLateRejection(this: unknown, first?: unknown, message?: unknown): unknown {
    const rejected = rejectionLineError(first, message);
    if (rejected !== undefined) {
      try {
        late(rejected.err, boundId(this, label), (fields, text) => base().call(this, fields, text));
      } catch {
        // Recording must not throw into Fastify's promise reaction (it would `send` on a sent reply).
      }
      return undefined;
    }
    // biome-ignore lint/complexity/noArguments: forwards every argument without allocating
    return base().apply(this, arguments as unknown as unknown[]);
  };
  catching.add(error);
  return error;
}

/** Puts a catching `error` on `logger` in front of its own (or inherited) one; leaves a frozen logger as it is. */
function install(logger: object, label: string, late: LateRejection): void {
  if (typeof (logger as { error?: unknown }).error !== 'function') return; // no `error` to put one in front of
  const descriptor = Object.getOwnPropertyDescriptor(logger, 'error');
  const own = typeof descriptor?.value === 'function' ? (descriptor.value as LogMethod) : undefined;
  if (descriptor !== undefined && own === undefined) return; // an accessor or a non-function: not ours to wrap
  if (own !== undefined && catching.has(own)) return;
  try {
    Object.defineProperty(logger, 'error', {
      value: catchingError(logger, own, label, late),
      writable: true,
      configurable: true,
      enumerable: descriptor?.enumerable ?? true,
    });
  } catch {
    // frozen or non-configurable: Fastify's line stays as it was
  }
}

/**
 * Gives `logger` (the server's) a pino `setLevel` of its own: pino's runs, then the logger whose
 * level changed (the server's, or a child of it with a level of its own) gets its catching `error`
 * again. Nothing for a logger that is not pino's.
 */
function reinstallOnLevelChange(logger: object, label: string, late: LateRejection): void {
  const setLevelSym = fastifySymbol(logger, 'pino.setLevel');
  if (setLevelSym === undefined) return;
  const setLevel = (logger as Record<symbol, unknown>)[setLevelSym];
  if (typeof setLevel !== 'function') return;
  Object.defineProperty(logger, setLevelSym, {
    value: function setLevelCatching(this: { error?: unknown }, level: unknown): void {
      setLevel.call(this, level);
      // Pino has just assigned `this.error` (a data property of its own): replaced the same way,
      // at the cost of one closure (a route with a `logLevel` of its own runs this per request).
      const own = this.error;
      if (typeof own === 'function' && !catching.has(own) && Object.hasOwn(this, 'error')) {
        this.error = catchingError(this, own as LogMethod, label, late);
      } else install(this, label, late);
    },
    writable: true,
    configurable: true,
  });
}

/**
 * Catches Fastify's "Promise errored, but reply.sent = true was set" line on `app`'s logger and on
 * every request's child logger of it: the error goes to `late` and the line is not written.
 * Other servers' loggers, and the logger instance the application handed Fastify, are untouched.
 */
export function catchLateRejectionLine(app: FastifyInstance, late: LateRejection): void {
  const logger = app.log as unknown;
  if (typeof logger !== 'object' || logger === null || caught.has(logger)) return;
  caught.add(logger);
  const label = requestIdLabel(app);
  install(logger, label, late);
  reinstallOnLevelChange(logger, label, late);
}
