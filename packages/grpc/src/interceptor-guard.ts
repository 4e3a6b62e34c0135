/**
 * `guardInterceptor(interceptor)`: an interceptor of the application's, wrapped so that a throw
 * from any part of it, or a rejection of an `async` hook or listener of it, ends its call as a
 * fault instead of ending the process. grpc-js calls an interceptor function, its `start` and the
 * listeners below the handler from its HTTP/2 stream handler (or an async function of its own),
 * and drops what a hook returns: a throw there is an uncaught exception (or an unhandled
 * rejection), as is a rejected `async` hook, and the call waits for its deadline. The guard puts
 * a layer on each side of the application's interceptor, with grpc-js's public interceptor API:
 *
 * - below it, a call that catches a throw from every listener event it passes up (metadata,
 *   message, half-close, cancel) and that answers the call, past the application's interceptor;
 * - above it, a responder that catches a throw from its `start`, `sendMetadata`, `sendMessage`
 *   and `sendStatus`;
 * - and, on the intercepting call it returns, its own hooks and listener events followed for a
 *   rejection (`interceptor-returns.ts`).
 *
 * A failure ends the call once with the value's fault (its id in the trailer, the rich status, a
 * record), sent to the call beneath the failed interceptor; what the handler sends afterwards is
 * dropped, and the application's interceptor gets no further event. A failure once the call's
 * status was sent is recorded only. Never throws. `addFaultlineService` guards every interceptor
 * of its server this way (`server-guard.ts`).
 */
import type {
  Metadata,
  ServerInterceptingCallInterface,
  ServerInterceptor,
  ServerMethodDefinition,
} from '@grpc/grpc-js';
import { ServerInterceptingCall } from '@grpc/grpc-js';
import { faultForCall, type GrpcFaultOptions, resolveGrpcOptions } from './call-fault.js';
import { followHooks, isInterceptingCall, settleQuietly } from './interceptor-returns.js';
import { faultStatus } from './trailers.js';

/** The listener grpc-js hands a call's `start` (not exported by grpc-js under a name). */
type CallListener = Parameters<ServerInterceptingCallInterface['start']>[0];

/** Stands in for an interceptor function that returned no intercepting call (a promise, say). */
export class InterceptorReturnedNoCall extends Error {
  constructor() {
    super('server interceptor returned no intercepting call');
    this.name = 'InterceptorReturnedNoCall';
  }
}

/**
 * The call an application's interceptor gets: the one beneath it, with every listener event
 * passed up inside a `try` (it is its own listener on the call beneath), and
 * {@link GuardedCall.fail} to answer past the interceptor.
 */
class GuardedCall implements ServerInterceptingCallInterface, CallListener {
  private metadata: Metadata | undefined;
  /** True once a status went down (the interceptor's own, or the guard's). */
  private ended = false;
  /** True once the guard answered: events up and sends down stop. */
  failed = false;
  /** A failure before the call started (the interceptor function threw): answered at its metadata. */
  private early: { error: unknown } | undefined;

  constructor(
    private readonly below: ServerInterceptingCallInterface,
    private readonly path: string,
    private readonly options: GrpcFaultOptions,
    private readonly domain: string,
  ) {}

  /** Ends the call with `error`'s fault (once); records only once a status was sent. Never throws. */
  fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    try {
      const fault = faultForCall(error, this.metadata, this.path, this.options, [], this.below);
      if (this.ended) return;
      this.ended = true;
      this.below.sendStatus(faultStatus(fault, this.domain));
    } catch {
      // The call ended meanwhile: nothing left to answer.
    }
  }

  /** Remembers a failure of the interceptor function itself: the call is answered once it starts. */
  failEarly(error: unknown): void {
    this.early = { error };
  }

  /** The listener above (the application's interceptor's), set by {@link start}. */
  private up: CallListener | undefined;

  /** Starts the call beneath with this object as its listener: one object per call, no closures. */
  start(listener: CallListener): void {
    this.up = listener;
    this.below.start(this);
  }
  /** Listener: the request metadata, passed up (or the early failure answered). */
  onReceiveMetadata(metadata: Metadata): void {
    this.metadata = metadata;
    if (this.early !== undefined) this.fail(this.early.error);
    if (this.failed) return;
    try {
      this.up?.onReceiveMetadata(metadata);
    } catch (error) {
      this.fail(error);
    }
  }
  /** Listener: a request message, passed up. */
  onReceiveMessage(message: unknown): void {
    if (this.failed) return;
    try {
      this.up?.onReceiveMessage(message);
    } catch (error) {
      this.fail(error);
    }
  }
  /** Listener: the request stream's end, passed up. */
  onReceiveHalfClose(): void {
    if (this.failed) return;
    try {
      this.up?.onReceiveHalfClose();
    } catch (error) {
      this.fail(error);
    }
  }
  /** Listener: the call ended; always passed up (the handler's 'cancelled' event). */
  onCancel(): void {
    try {
      this.up?.onCancel();
    } catch (error) {
      this.fail(error);
    }
  }
  sendMetadata(metadata: Metadata): void {
    if (!this.failed) this.below.sendMetadata(metadata);
  }
  sendMessage(message: unknown, callback: () => void): void {
    if (!this.failed) this.below.sendMessage(message, callback);
  }
  sendStatus(status: Parameters<ServerInterceptingCallInterface['sendStatus']>[0]): void {
    if (this.failed || this.ended) return;
    this.ended = true;
    this.below.sendStatus(status);
  }
  startRead(): void {
    this.below.startRead();
  }
  getPeer(): string {
    return this.below.getPeer();
  }
  getDeadline(): ReturnType<ServerInterceptingCallInterface['getDeadline']> {
    return this.below.getDeadline();
  }
  getHost(): string {
    return this.below.getHost();
  }
  getAuthContext(): ReturnType<ServerInterceptingCallInterface['getAuthContext']> {
    return this.below.getAuthContext();
  }
  getConnectionInfo(): ReturnType<ServerInterceptingCallInterface['getConnectionInfo']> {
    return this.below.getConnectionInfo();
  }
  getMetricsRecorder(): ReturnType<ServerInterceptingCallInterface['getMetricsRecorder']> {
    return this.below.getMetricsRecorder();
  }
}

/**
 * The application's intercepting call, with a responder above it whose every hook runs inside a
 * `try`; what comes down once the guard answered is dropped.
 */
function guardAbove(call: ServerInterceptingCallInterface, guard: GuardedCall): ServerInterceptingCall {
  /** Hands `value` down inside a `try`, unless the guard answered already. */
  const pass = <T>(value: T, next: (value: T) => void): void => {
    if (guard.failed) return;
    try {
      next(value);
    } catch (error) {
      guard.fail(error);
    }
  };
  return new ServerInterceptingCall(call, {
    start(next) {
      try {
        next();
      } catch (error) {
        guard.fail(error);
      }
    },
    sendMetadata: pass,
    sendMessage: pass,
    sendStatus: pass,
  });
}

/** Interceptors made by {@link guardInterceptor}. */
const guardedInterceptors = new WeakSet<object>();

/** True when `value` was made by {@link guardInterceptor} (guarding it again would add nothing). */
export function isGuardedInterceptor(value: unknown): boolean {
  return typeof value === 'function' && guardedInterceptors.has(value);
}

/**
 * Wraps a server interceptor of the application's: a throw from the interceptor function, from
 * its `start`, `sendMetadata`, `sendMessage` or `sendStatus` hooks, or from any listener event it
 * receives (its own listener's, or the handler's beneath it), and a rejection of a promise one of
 * its own hooks or listener events returns (an `async` one), end the call with the value's fault,
 * sent past the failed interceptor, and recorded with `options.reporter`. An interceptor function
 * that returns no intercepting call (an `async` one) is answered the same way. `addFaultlineService`
 * guards every interceptor of its server that is not Faultline's; call this one for a server
 * without it (services added with `server.addService` and `wrapService` only), or to give an
 * interceptor options of its own. List Faultline's interceptor first:
 *
 * @example
 * new Server({ interceptors: [createServerInterceptor({ reporter }), guardInterceptor(auth, { reporter })] });
 *
 * Out of reach: a throw from a callback the interceptor runs later (a timer, a promise it does not
 * return), and a rejection of an intercepting call of its own making that is no grpc-js
 * `ServerInterceptingCall`: grpc-js drops what those return.
 */
export function guardInterceptor(interceptor: ServerInterceptor, options: GrpcFaultOptions = {}): ServerInterceptor {
  resolveGrpcOptions(options);
  const domain = options.domain ?? 'faultline';
  const guarded = (method: ServerMethodDefinition<unknown, unknown>, call: ServerInterceptingCallInterface) => {
    const guard = new GuardedCall(call, method.path, options, domain);
    let outer: unknown;
    try {
      outer = interceptor(method, guard);
    } catch (error) {
      guard.failEarly(error);
      return new ServerInterceptingCall(guard);
    }
    if (!isInterceptingCall(outer)) {
      settleQuietly(outer);
      guard.failEarly(new InterceptorReturnedNoCall());
      return new ServerInterceptingCall(guard);
    }
    followHooks(outer, guard);
    return guardAbove(outer, guard);
  };
  guardedInterceptors.add(guarded);
  return guarded;
}
