/**
 * The application's interceptors on a server, guarded by default. grpc-js lets a throw from an
 * interceptor function, its hooks or its listeners, and a rejected `async` hook, end the process;
 * `addFaultlineService` wraps every interceptor of its server that is not Faultline's own in
 * `guardInterceptor`, so the documented wiring is safe without wrapping each one by hand. grpc-js
 * keeps the constructor's `interceptors` on the server (`Server#interceptors`, internal) and reads
 * them for every call; the list is replaced by a guarded copy (the application's array is left as
 * it was), once per server.
 */
import type { Server, ServerInterceptor } from '@grpc/grpc-js';
import { type GrpcFaultOptions, resolveGrpcOptions } from './call-fault.js';
import { guardInterceptor, isGuardedInterceptor } from './interceptor-guard.js';
import { isFaultlineInterceptor } from './wrapped-methods.js';

const guardedServers = new WeakSet<object>();

/**
 * Guards every interceptor of `server` that is neither Faultline's (`createServerInterceptor`)
 * nor guarded already, with `options` (those of the first call for the server: later calls change
 * nothing). An entry that is no function is guarded too: its calls end with Faultline's
 * `INTERNAL` instead of grpc-js's TypeError ending the process. When the server keeps no list (an
 * other grpc-js), nothing changes. Throws only an `OptionsError` for bad options.
 */
export function guardServerInterceptors(server: Server, options: GrpcFaultOptions): void {
  // Bad options fail here, as at every entry point, before the server counts as guarded.
  resolveGrpcOptions(options);
  if (guardedServers.has(server)) return;
  guardedServers.add(server);
  try {
    const holder = server as unknown as { interceptors?: unknown };
    const list = holder.interceptors;
    if (!Array.isArray(list)) return;
    const guarded: unknown[] = [];
    let changed = false;
    // An index loop: a hole is guarded as the `undefined` grpc-js would call.
    for (let i = 0; i < list.length; i++) {
      const interceptor: unknown = list[i];
      if (isFaultlineInterceptor(interceptor) || isGuardedInterceptor(interceptor)) guarded.push(interceptor);
      else {
        guarded.push(guardInterceptor(interceptor as ServerInterceptor, options));
        changed = true;
      }
    }
    if (changed) holder.interceptors = guarded;
  } catch {
    // A list that cannot be read (a Proxy whose traps throw): grpc-js's own use of it fails as before.
  }
}
