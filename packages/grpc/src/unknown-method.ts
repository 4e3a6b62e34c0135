/**
 * Unknown methods and services. grpc-js answers a call to an unregistered path itself, before
 * any server interceptor, with UNIMPLEMENTED and details that echo the caller's path, without
 * `x-request-id` or `grpc-status-details-bin`. There is no public hook for it (no catch-all
 * handler, interceptors are never built for such a call), so this module gives the server one:
 * the lookup of a path's handler (`Server#_retrieveHandler`, grpc-js >= 1.10) falls back to a
 * Faultline handler that answers like every other fault (generic text, id, details) and logs the
 * path. With Faultline's interceptor outermost, that interceptor answers such a call where it
 * meets it, with the same status on the same grpc-js call, and the handler never runs (no stream
 * is built for the call). It checks the internals it relies on and changes nothing when they are
 * not there; the tests pin the behaviour on the grpc-js version in the lockfile.
 */
import { FaultError, isObjectLike, safeGet } from '@faultline/core/adapter';
import type { Metadata, Server, ServerInterceptingCallInterface, StatusObject } from '@grpc/grpc-js';
import { faultForCall, type GrpcFaultOptions, resolveGrpcOptions } from './call-fault.js';
import { faultStatus } from './trailers.js';
import { markUnknownMethodDecoder, markWrappedDecoder, passThroughIsSafe } from './wrapped-methods.js';

interface HandlerLookup {
  _retrieveHandler?: (path: string) => unknown;
}

/** What the handler reads of grpc-js's bidi stream (`ServerDuplexStreamImpl`). */
interface UnknownMethodCall {
  readonly metadata: Metadata;
  getPath(): string;
  emit(event: 'error', status: StatusObject): boolean;
}

const patched = new WeakSet<object>();

const serialize = (value: unknown) => (Buffer.isBuffer(value) ? value : Buffer.alloc(0));

/**
 * Sends `status` on grpc-js's call under `call` at once. Emitting it as the stream's error sends
 * the same status (`serverErrorToStatus`, then the stream's `_final` passes code, details and
 * trailers to `call.sendStatus`), a tick later, through the stream's end machinery: while it
 * waits, the call, its stream and its fault survive the scavenges that meet them, which under a
 * load of unknown paths grew V8's young generation (issue 21). The emit stays the fallback when
 * grpc-js's call is not there.
 */
function sendAtOnce(call: UnknownMethodCall, status: StatusObject): void {
  const inner = safeGet(call, 'call') as { sendStatus?: unknown } | undefined;
  const send = isObjectLike(inner) ? safeGet(inner, 'sendStatus') : undefined;
  if (typeof send === 'function')
    send.call(inner, { code: status.code, details: status.details, metadata: status.metadata });
  else call.emit('error', status);
}

/**
 * The handler of every unknown path of `server`: the functions are made once, the record (which
 * names the path, as grpc-js's registered ones do) once per call. Its answer is Faultline's own
 * status, so with no interceptor of the application's outside Faultline's (the condition under
 * which wrapped methods pass too) Faultline's interceptor passes these calls instead of building
 * a sanitizing call for each.
 */
function unknownMethodHandlers(server: Server, options: GrpcFaultOptions, domain: string): (path: string) => object {
  const deserialize = (bytes: Buffer) => bytes;
  const statusOf = (metadata: Metadata, path: string, call: object): StatusObject => {
    const raised = FaultError.of('not_implemented', { message: 'unknown method', stack: false });
    return faultStatus(faultForCall(raised, metadata, path, options, [], call), domain);
  };
  if (passThroughIsSafe(server)) {
    markWrappedDecoder(deserialize);
    // Faultline's interceptor, outermost, answers these calls itself (see `answerAtInterception`).
    markUnknownMethodDecoder(deserialize, (call, path) => answerAtInterception(call, path, statusOf));
  }
  const func = (call: UnknownMethodCall) => {
    sendAtOnce(call, statusOf(call.metadata, call.getPath(), call));
  };
  return (path) => ({ type: 'bidi', path, serialize, deserialize, func });
}

/** What {@link answerAtInterception} makes a status with: the call's metadata, path, and the call. */
type StatusOf = (metadata: Metadata, path: string, call: object) => StatusObject;

/**
 * The listener an unknown method's call is started with by Faultline's interceptor: the request
 * metadata (grpc-js's base call hands it over at once) gets the call its status; nothing else is
 * read (no message is asked for).
 */
class UnknownMethodListener {
  constructor(
    private readonly call: ServerInterceptingCallInterface,
    private readonly path: string,
    private readonly statusOf: StatusOf,
  ) {}

  onReceiveMetadata(metadata: Metadata): void {
    const { code, details, metadata: trailers } = this.statusOf(metadata, this.path, this.call);
    this.call.sendStatus({ code, details, metadata: trailers });
  }
  onReceiveMessage(): void {}
  onReceiveHalfClose(): void {}
  onCancel(): void {}
}

/**
 * What grpc-js's handler gets in place of an unknown method's call once Faultline's interceptor
 * answered it: its status is sent, so the handler's listener is never started (grpc-js builds no
 * stream for the call) and whatever it sends goes nowhere. One object for every call.
 */
const ANSWERED: ServerInterceptingCallInterface = {
  start() {},
  sendMetadata() {},
  sendMessage() {},
  sendStatus() {},
  startRead() {},
  getPeer: () => 'unknown',
  getDeadline: () => Number.POSITIVE_INFINITY,
  getHost: () => '',
  getAuthContext: () => ({}),
  getConnectionInfo: () => ({}),
  getMetricsRecorder: () => ({}) as ReturnType<ServerInterceptingCallInterface['getMetricsRecorder']>,
};

/**
 * Answers an unknown method's call where Faultline's interceptor meets it (outermost, so what it
 * returns is what grpc-js's handler runs on): the same status on the same grpc-js call as the
 * handler's `sendAtOnce`, without the handler's Duplex stream and its listeners (issue 21: over
 * 20,000 calls to unknown paths, 3.8 -> 3.1 MB surviving scavenges, 331 -> 297 MiB allocated).
 * Returns the call the handler gets; never throws (a throw here would end the process).
 */
function answerAtInterception(
  call: ServerInterceptingCallInterface,
  path: string,
  statusOf: StatusOf,
): ServerInterceptingCallInterface {
  try {
    call.start(new UnknownMethodListener(call, path, statusOf));
    return ANSWERED;
  } catch {
    // Not answered (the status could not be made or sent): the handler's own path answers it.
    return call;
  }
}

/**
 * Makes `server` answer calls to unknown methods and services as a Faultline fault
 * (`UNIMPLEMENTED`, generic details, `x-request-id`, `grpc-status-details-bin`). Idempotent.
 * Returns false when this grpc-js version does not have the lookup it replaces (the server then
 * keeps grpc-js's own answer, which echoes the requested path).
 */
export function answerUnknownMethods(server: Server, options: GrpcFaultOptions = {}): boolean {
  resolveGrpcOptions(options);
  const lookup = server as unknown as HandlerLookup;
  if (patched.has(server)) return true;
  const original = lookup._retrieveHandler;
  if (typeof original !== 'function') return false;
  const unknownMethodHandler = unknownMethodHandlers(server, options, options.domain ?? 'faultline');
  lookup._retrieveHandler = function retrieveHandler(this: unknown, path: string) {
    const handler = original.call(this, path);
    if (handler !== null && handler !== undefined) return handler;
    return unknownMethodHandler(typeof path === 'string' ? path : '');
  };
  patched.add(server);
  return true;
}
