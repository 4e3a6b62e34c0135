/**
 * Unknown methods and services. grpc-js answers a call to an unregistered path itself, before
 * any server interceptor, with UNIMPLEMENTED and details that echo the caller's path, without
 * `x-request-id` or `grpc-status-details-bin`. There is no public hook for it (no catch-all
 * handler, interceptors are never built for such a call), so this module gives the server one:
 * the lookup of a path's handler (`Server#_retrieveHandler`, grpc-js >= 1.10) falls back to a
 * Faultline handler that answers like every other fault (generic text, id, details) and logs the
 * path. It checks the internals it relies on and changes nothing when they are not there; the
 * tests pin the behaviour on the grpc-js version in the lockfile.
 */
import { FaultError } from '@faultline/core/adapter';
import type { Server, ServerDuplexStream } from '@grpc/grpc-js';
import { faultForCall, type GrpcFaultOptions, resolveGrpcOptions } from './call-fault.js';
import { faultStatus } from './trailers.js';

interface HandlerLookup {
  _retrieveHandler?: (path: string) => unknown;
}

const patched = new WeakSet<object>();

/** The registered-handler record grpc-js uses (`Server#register`), for a path nobody registered. */
function unknownMethodHandler(path: string, options: GrpcFaultOptions, domain: string) {
  return {
    type: 'bidi' as const,
    path,
    serialize: (value: unknown) => (Buffer.isBuffer(value) ? value : Buffer.alloc(0)),
    deserialize: (bytes: Buffer) => bytes,
    func: (call: ServerDuplexStream<unknown, unknown>) => {
      const raised = FaultError.of('not_implemented', { message: 'unknown method', stack: false });
      const fault = faultForCall(raised, call.metadata, path, options, [], call);
      call.emit('error', faultStatus(fault, domain));
    },
  };
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
  const domain = options.domain ?? 'faultline';
  lookup._retrieveHandler = function retrieveHandler(this: unknown, path: string) {
    const handler = original.call(this, path);
    if (handler !== null && handler !== undefined) return handler;
    return unknownMethodHandler(typeof path === 'string' ? path : '', options, domain);
  };
  patched.add(server);
  return true;
}
