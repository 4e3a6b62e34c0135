/**
 * Methods registered through `addFaultlineService`: decoding guarded and every handler failure
 * answered by the wrapper with Faultline's status. The server interceptor leaves their calls to
 * grpc-js untouched, so a successful call costs no interceptor work. They are recognised by their
 * guarded request deserializer, which grpc-js hands to every interceptor in the method
 * descriptor; the set is filled once per method at registration.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';

const wrapped = new WeakSet<object>();

/**
 * Marks the methods of `definition` (a guarded definition) that `implementation` has a handler
 * for: those are the ones `wrapService` wrapped. A method without one keeps the interceptor, which
 * sanitizes grpc-js's default UNIMPLEMENTED answer for it.
 */
export function markWrappedMethods(definition: ServiceDefinition, implementation: object): void {
  for (const [name, method] of Object.entries(definition)) {
    const handler: unknown = (implementation as Record<string, unknown>)[name];
    if (typeof handler === 'function' && typeof method.requestDeserialize === 'function')
      wrapped.add(method.requestDeserialize);
  }
}

/** True when a method descriptor's `requestDeserialize` belongs to a method Faultline wrapped. */
export function isWrappedMethod(requestDeserialize: unknown): boolean {
  return typeof requestDeserialize === 'function' && wrapped.has(requestDeserialize);
}
