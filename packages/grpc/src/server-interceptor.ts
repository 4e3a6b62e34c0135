/**
 * The last line: a grpc-js server interceptor that sanitizes every non-OK status leaving the
 * server, library-generated ones included (message too large, deserialization failure,
 * unimplemented, deadline). Faultline's own statuses pass as they were made, whatever an
 * interceptor listed after this one changed in them (`statusAsMade`); anything else becomes a
 * fault: its category comes only from an allowlist of codes grpc-js itself generates, never from
 * a handler's numeric code; its details become the generic message; foreign metadata is dropped.
 * CANCELLED stands only once the client cancelled the call; before, it is `internal`. An OK status
 * passes only with grpc-js's own text: a handler's error with `code: 0` becomes OK with the
 * error's message and metadata in grpc-js, and is answered as a fault instead; so is an OK without
 * a response message on a unary or client-streaming method (an error whose `code` is 0 and whose
 * message is `'OK'`, which grpc-js sends as its own OK, with the error's trailers). A status that
 * cannot be read is answered as the fault of the error reading it threw. It never throws (an
 * interceptor that throws crashes the process).
 */

import { type Category, FaultError } from '@faultline/core/adapter';
import {
  Metadata,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  status as Status,
  type StatusObject,
} from '@grpc/grpc-js';
import { faultForCall, type GrpcFaultOptions, resolveGrpcOptions, serverCancelledFault } from './call-fault.js';
import { handlerMetadata, INVALID, InvalidMetadata } from './handler-metadata.js';
import { faultStatus, statusAsMade } from './trailers.js';
import { isWrappedMethod, rememberFaultlineInterceptor, unknownMethodAnswerOf } from './wrapped-methods.js';

/** Codes grpc-js generates itself, and what they mean for the client. */
const LIBRARY_CODES: Readonly<Partial<Record<number, Category>>> = {
  [Status.CANCELLED]: 'cancelled',
  [Status.DEADLINE_EXCEEDED]: 'timeout',
  [Status.RESOURCE_EXHAUSTED]: 'payload_too_large',
  [Status.UNIMPLEMENTED]: 'not_implemented',
  [Status.UNAVAILABLE]: 'unavailable',
  [Status.INTERNAL]: 'internal',
  [Status.UNKNOWN]: 'internal',
};

/** The category of a status that did not come from Faultline. */
export function categoryOfForeignStatus(code: number, details: string): Category {
  // grpc-js reports a request it cannot deserialize as INTERNAL: the client sent bad bytes.
  if (code === Status.INTERNAL && /deserializ|parse request/i.test(details)) return 'validation';
  return LIBRARY_CODES[code] ?? 'internal';
}

/** A stand-in for the error the interceptor never sees: the status grpc-js was about to send. */
export class ForeignStatusError extends Error {
  constructor(
    readonly grpcCode: number,
    details: string,
  ) {
    super(details);
    this.name = 'ForeignStatusError';
  }
}

/**
 * Creates the server interceptor. Pass it in `new Server({ interceptors: [...] })`, first:
 * grpc-js makes the last interceptor the outermost, and a status an interceptor sends itself goes
 * only through the interceptors listed before it. Listed first, Faultline's sees every status,
 * the application's interceptors' included, and answers a throw from their listeners as a fault
 * (grpc-js would leave it an unhandled rejection and the call waiting for its deadline). A throw
 * from their function, `start`, send hooks or `onCancel`, and a rejected `async` hook, never pass
 * through this one: `addFaultlineService` guards them (`guardInterceptor`, which a server
 * without it needs around each).
 *
 * Calls to methods registered with `addFaultlineService` pass through untouched: the wrapper
 * already answers every failure of theirs, and an intercepting call per call cost about 6% of
 * the error path's throughput (grpc-js's own intercepting objects and Faultline's closures,
 * measured with h2load). For those methods, the two statuses grpc-js raises itself for a client
 * that breaks the protocol (a second request message, or none, on a unary or server-streaming
 * method) are grpc-js's own: UNIMPLEMENTED, with details naming the client's own method path.
 * They pass only while no interceptor of the application's is listed after this one when
 * `addFaultlineService` runs; otherwise their calls are intercepted as any other. Under the
 * same condition, a call to a path the server does not know is answered here, with the status
 * `answerUnknownMethods`'s handler sends, and that handler never runs.
 */
export function createServerInterceptor(options: GrpcFaultOptions = {}): ServerInterceptor {
  resolveGrpcOptions(options);
  const domain = options.domain ?? 'faultline';
  // The passing call allocates nothing: the closures (and the per-call scope they share) are made
  // only for calls that are not Faultline's own, in a function of their own.
  // An unknown method's call (its decoder marked by `answerUnknownMethods`) is answered here.
  const interceptor: ServerInterceptor = (methodDescriptor, call) => {
    const decode = methodDescriptor.requestDeserialize;
    if (!isWrappedMethod(decode)) return sanitizingCall(methodDescriptor, call, options, domain);
    const answer = unknownMethodAnswerOf(decode);
    return (answer === undefined ? call : answer(call, methodDescriptor.path)) as ServerInterceptingCall;
  };
  rememberFaultlineInterceptor(interceptor);
  return interceptor;
}

/** What {@link answerUnreadable} needs of its call. */
interface UnreadableContext {
  readonly path: string;
  readonly options: GrpcFaultOptions;
  readonly domain: string;
  readonly metadata: Metadata | undefined;
  readonly call: ServerInterceptingCallInterface;
}

/**
 * Answers a status the interceptor could not read (a Proxy, throwing getters) with the fault of
 * the error reading it threw; grpc-js's bare INTERNAL, without an id, if even that fails.
 */
function answerUnreadable(error: unknown, next: (status: StatusObject) => void, ctx: UnreadableContext): void {
  try {
    next(faultStatus(faultForCall(error, ctx.metadata, ctx.path, ctx.options, [], ctx.call), ctx.domain));
  } catch {
    try {
      next({ code: Status.INTERNAL, details: 'An internal error occurred.', metadata: new Metadata() });
    } catch {
      // The call ended meanwhile: nothing left to answer.
    }
  }
}

/**
 * The intercepting call of a method Faultline did not wrap: every status it sends but a success is
 * sanitized. A success is grpc-js's own OK, after a response message unless the method streams
 * its responses: grpc-js sends an error whose `code` is 0 and whose message is `'OK'` as that same
 * OK, with the error's trailers, and without a message.
 */
function sanitizingCall(
  method: { readonly path: string; readonly responseStream: boolean },
  call: ServerInterceptingCallInterface,
  options: GrpcFaultOptions,
  domain: string,
): ServerInterceptingCall {
  const path = method.path;
  const answersOnce = method.responseStream !== true;
  let metadata: Metadata | undefined;
  let cancelled = false;
  let messageSent = false;
  // A throw from a listener outside this one (an interceptor of the application's, listed after
  // Faultline's): the call ends with its fault instead of an unhandled rejection and a hang.
  const failed = (error: unknown) => {
    try {
      intercepting.sendStatus(faultStatus(faultForCall(error, metadata, path, options, [], call), domain));
    } catch {
      // The call ended meanwhile: nothing left to answer.
    }
  };
  const intercepting: ServerInterceptingCall = new ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(received, nextMetadata) {
          metadata = received;
          try {
            nextMetadata(received);
          } catch (error) {
            failed(error);
          }
        },
        onReceiveMessage(message, nextMessage) {
          try {
            nextMessage(message);
          } catch (error) {
            failed(error);
          }
        },
        onReceiveHalfClose(nextHalfClose) {
          try {
            nextHalfClose();
          } catch (error) {
            failed(error);
          }
        },
        onCancel() {
          cancelled = true;
        },
      });
    },
    sendMetadata(sent, next) {
      // Response metadata that is no Metadata would throw inside grpc-js: an empty one goes on
      // (grpc-js waits for it before any status), and the call ends as a fault.
      const own = handlerMetadata(sent);
      next(own === INVALID || own === null || own === undefined ? new Metadata() : own);
      if (own === INVALID) failed(new InvalidMetadata('response metadata'));
    },
    sendMessage(message, next) {
      messageSent = true;
      next(message);
    },
    sendStatus(status, next) {
      let sent = false;
      try {
        // grpc-js's own OK says 'OK'. Other text: a handler's error whose `code` was 0, which grpc-js
        // sends as OK with the error's message and metadata; it is a failure like any other. So is
        // an OK that answers a unary or client-streaming call without its message.
        if (status.code === Status.OK && status.details === 'OK' && (messageSent || !answersOnce)) {
          // Its trailers, checked and copied: grpc-js clones them where nothing catches a throw.
          const trailers = handlerMetadata(status.metadata);
          if (trailers === INVALID) throw new InvalidMetadata('trailers');
          sent = true;
          next({ code: Status.OK, details: 'OK', metadata: trailers ?? null });
          return;
        }
        // Faultline's own status, as it was made: an interceptor outside this one may have changed it.
        const own = statusAsMade(status);
        if (own !== undefined) {
          sent = true;
          next(own);
          return;
        }
        const details = typeof status.details === 'string' ? status.details : '';
        const category = categoryOfForeignStatus(status.code, details);
        const cause = new ForeignStatusError(status.code, details);
        // CANCELLED from a handler whose client did not cancel: the server cancelled its own work.
        const fault =
          category === 'cancelled' && !cancelled
            ? serverCancelledFault(cause, 'grpc:CANCELLED', metadata, path, options, call)
            : faultForCall(FaultError.of(category, { cause, stack: false }), metadata, path, options, [], call);
        sent = true;
        next(faultStatus(fault, domain));
      } catch (error) {
        // A status that cannot be read (a Proxy, throwing getters): its fault, with an id and a record.
        if (!sent) answerUnreadable(error, next, { path, options, domain, metadata, call });
      }
    },
  });
  return intercepting;
}
