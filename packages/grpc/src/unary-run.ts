/**
 * One unary call of a wrapped handler: its state and its answers in a single object, which is
 * also the call's guard. A call reaches everything its wrapper allocated for it, and once the
 * connection's HTTP/2 session is in the old generation every call is promoted with all of that
 * (see the README's performance section), so the success path allocates two objects per call:
 * this one and the bound callback handed to the handler. On a server's list of calls in flight
 * (`addFaultlineService`), the run is the list's entry: its two links are its own fields.
 */
import { type Fault, isThenable } from '@faultline/core/adapter';
import type { Metadata, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { answerWhenReady, callFault, flag, type GrpcFaultOptions, requestOf, SERVER_SHUTDOWN } from './call-fault.js';
import {
  AnsweredWithoutMessage,
  decodeFault,
  type GuardableUnaryCall,
  guardUnaryCall,
  type UnaryGuard,
  unaryGuardOf,
} from './call-guard.js';
import { handlerMetadata, INVALID, InvalidMetadata } from './handler-metadata.js';
import { type Emit, type InFlightCall, type InFlightCalls, untrack, untrackingOnCancel } from './in-flight.js';
import { isDecodeFailure } from './request-guard.js';
import { type ResponseEncoding, serializeResponse } from './response-serialize.js';
import { faultStatus } from './trailers.js';

/** An application's handler as the wrapper calls it (streaming handlers get no callback). */
export type Handler = (call: unknown, callback?: sendUnaryData<unknown>) => unknown;

/** What every call of one wrapped unary method shares. */
export interface UnaryMethod {
  /** The method's path (`/package.Service/Method`), for the fault record. */
  readonly path: string;
  /** The application's handler. */
  readonly handler: Handler;
  /** Reporter, classifiers and request limits. */
  readonly options: GrpcFaultOptions;
  /** `ErrorInfo.domain` of the statuses. */
  readonly domain: string;
  /** The server's calls in flight (`addFaultlineService`); undefined for `wrapService` alone. */
  readonly calls: InFlightCalls | undefined;
  /**
   * The method's response serializer and the server's send limit, when the wrapper serializes
   * the response itself (`addFaultlineService`, whose grpc-js serializer passes the bytes on);
   * undefined otherwise.
   */
  readonly encoding: ResponseEncoding | undefined;
}

/**
 * Runs `handler` on `call` (with `callback` for methods that answer through one): a sync throw
 * or a rejected promise, of any value, goes to `target.fail`. Only an async handler pays for a
 * rejection callback.
 */
export function runHandler(
  handler: Handler,
  call: unknown,
  callback: sendUnaryData<unknown> | undefined,
  target: Pick<UnaryGuard, 'fail'>,
): void {
  try {
    const result = callback === undefined ? handler(call) : handler(call, callback);
    if (isThenable(result)) result.then(undefined, (error: unknown) => target.fail(error));
  } catch (error) {
    target.fail(error);
  }
}

/**
 * The `emit` of a listed call (one function for every call): 'cancelled', which grpc-js emits once
 * the call's status was sent or once its client is gone, takes the call off its server's list;
 * every event then goes on to the call's own `emit`, as it came. A 'cancelled' listener instead
 * cost about 1% more instructions per successful call (`bench:grpc-instructions`); this, within
 * the run-to-run noise.
 */
function listedEmit(this: object, event: string | symbol): boolean {
  const run = unaryGuardOf(this);
  // Set only on calls whose guard is their run: nothing else can reach here.
  if (!(run instanceof UnaryRun)) return false;
  if (event === 'cancelled') untrack(run);
  // biome-ignore lint/complexity/noArguments: forwards every argument as it came, without copying them
  return (run.originalEmit as Emit).apply(this, arguments as unknown as Parameters<Emit>);
}

/**
 * The `emit` accessor of a listed call (one descriptor for every call, so no closure per call):
 * reading gives {@link listedEmit}, or the handler's own `emit` once it assigned one, kept wrapped
 * by `untrackingOnCancel` so that 'cancelled' still takes the call off its list when that `emit`
 * does not forward the event. A plain `call.emit = listedEmit` left the call listed (and held)
 * until the server shut down once the handler had replaced it.
 */
const LISTED_EMIT: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: object): unknown {
    const run = unaryGuardOf(this);
    return run instanceof UnaryRun && run.ownEmit !== undefined ? run.ownEmit : listedEmit;
  },
  set(this: object, value: unknown): void {
    const run = unaryGuardOf(this);
    if (!(run instanceof UnaryRun)) return;
    run.ownEmit = typeof value === 'function' ? untrackingOnCancel(run, value as (...a: unknown[]) => unknown) : value;
  },
};

/** A unary call's run: answers exactly once, with the handler's message or a sanitized status. */
export class UnaryRun implements UnaryGuard, InFlightCall {
  /**
   * 0 until answered; 1 once answered with its message; 2 once answered with a fault, or once a
   * failure after the message was recorded (nothing more is recorded then).
   */
  private done: 0 | 1 | 2 = 0;
  /** The call's own `destroy`, kept by the guard (see {@link UnaryGuard}). */
  originalDestroy: ((error?: Error) => unknown) | undefined = undefined;
  /** The call's own `sendMetadata`, kept by the guard (see {@link UnaryGuard}). */
  originalSendMetadata: ((metadata: Metadata) => void) | undefined = undefined;
  /** The call's own `emit`, kept when the call is listed (see {@link listedEmit}). */
  originalEmit: Emit | undefined = undefined;
  /** The `emit` the handler assigned to its listed call, wrapped (see {@link LISTED_EMIT}). */
  ownEmit: unknown = undefined;
  prevInFlight: InFlightCall | undefined = undefined;
  nextInFlight: InFlightCall | undefined = undefined;

  private constructor(
    private readonly call: ServerUnaryCall<unknown, unknown>,
    private readonly callback: sendUnaryData<unknown>,
    private readonly method: UnaryMethod,
  ) {}

  /** Guards `call` and runs the method's handler on it. Never throws. */
  static start(call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>, method: UnaryMethod): void {
    const run = new UnaryRun(call, callback, method);
    if (isDecodeFailure(call.request)) {
      run.fail(decodeFault(call.request));
      return;
    }
    guardUnaryCall(call as unknown as GuardableUnaryCall, run);
    const calls = method.calls;
    if (calls !== undefined) {
      calls.add(run);
      run.originalEmit = call.emit;
      Object.defineProperty(call, 'emit', LISTED_EMIT);
    }
    runHandler(method.handler, call, run.answer.bind(run), run);
  }

  /**
   * Ends the call with the fault of `error`. Once it was answered with its message, the client
   * keeps that answer: the first failure after it (a throw or rejection of the handler's, a
   * callback with an error, an `emit('error')` or `destroy(error)`) is only recorded, under the
   * call's id; later ones are not, nor any after a fault (often the same value, passed on twice).
   */
  fail(error: unknown): void {
    if (this.done !== 0) {
      if (this.done === 1 && error !== SERVER_SHUTDOWN) this.recordLate(error);
      return;
    }
    this.done = 2;
    untrack(this);
    const fault = this.faultOf(error);
    if (fault instanceof Promise) answerWhenReady(fault, (ready) => this.sendFault(ready));
    else this.sendFault(fault);
  }

  /** Records `error`, a failure after the call's answer, without answering again. */
  private recordLate(error: unknown): void {
    this.done = 2;
    answerWhenReady(this.faultOf(error), recordedOnly);
  }

  /** The call's fault for `error`, recorded (callFault records it). */
  private faultOf(error: unknown): ReturnType<typeof callFault> {
    const call = this.call;
    return callFault(error, call.metadata, this.method.path, this.method.options, requestOf(call), call);
  }

  /** The server shuts down and the call is still unanswered: it ends with the shutdown's fault. */
  cut(): void {
    this.fail(SERVER_SHUTDOWN);
  }

  private sendFault(fault: Fault): void {
    this.callback(faultStatus(fault, this.method.domain));
  }

  /** True once answered, or once the request side ended on its own (Node's auto-destroy). */
  naturalEnd(): boolean {
    return this.done !== 0 || flag(this.call, 'readableEnded');
  }

  /**
   * The callback the handler gets; see {@link answerFailure}. The message is serialized here when
   * the method says so: a failure is the call's fault. The serializer runs the application's code
   * (a `toJSON`), which may answer the call itself meanwhile: that answer stands.
   */
  private answer(error: unknown, value?: unknown, trailer?: unknown, flags?: number): void {
    if (this.done !== 0) {
      // A callback with an error after the message: a failure after the answer, recorded.
      if (error !== null && error !== undefined) this.fail(error);
      return;
    }
    const failure = answerFailure(error, value);
    if (failure !== undefined) {
      this.fail(failure.error);
      return;
    }
    let message = value;
    const encoding = this.method.encoding;
    if (encoding !== undefined) {
      message = serializeResponse(encoding, value);
      if (this.done !== 0) return;
      if (!(message instanceof Buffer)) {
        this.fail(message);
        return;
      }
    }
    // Trailers that are no Metadata would throw inside grpc-js, where nothing catches it.
    const trailers = trailer === undefined ? undefined : handlerMetadata(trailer);
    if (trailers === INVALID) {
      this.fail(new InvalidMetadata('trailers'));
      return;
    }
    this.done = 1;
    untrack(this);
    (this.callback as (e: null, v: unknown, t?: unknown, f?: number) => void)(null, message, trailers, flags);
  }
}

/** The fault of a failure after the answer was recorded (callFault did): nothing left to send. */
export function recordedOnly(): void {}

/**
 * The rule of a unary callback (unary and client-streaming methods): an error of any kind fails
 * the call, and so does `callback(null)` without a message ({@link AnsweredWithoutMessage});
 * `undefined` when the message may be sent.
 */
export function answerFailure(error: unknown, value: unknown): { readonly error: unknown } | undefined {
  if (error !== null && error !== undefined) return { error };
  return value === undefined ? { error: new AnsweredWithoutMessage() } : undefined;
}
