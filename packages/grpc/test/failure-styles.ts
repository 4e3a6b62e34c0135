/**
 * Every way a grpc-js handler can fail, as one function the suites' handlers share: a sync throw,
 * an async rejection, `callback(err)`, `emit('error', v)` and `destroy(v)` now or a turn later,
 * after a partial write, or inside the handler's own 'data' listener, and a throw from that
 * listener. Which styles a method kind supports is each suite's own table.
 */

/** The parts of a grpc-js server call (any kind) the styles use. */
export interface FailingCall {
  emit(event: string, ...args: unknown[]): boolean;
  destroy(error?: unknown): void;
  once(event: string, fn: (...args: unknown[]) => void): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
  write?(message: unknown): boolean;
}

/** Fails `call` in `style` with a fresh `make()`; returns what the handler returns. */
export function failIn(
  call: FailingCall,
  style: string,
  make: () => unknown,
  callback?: (error: unknown) => void,
): unknown {
  switch (style) {
    case 'sync':
      throw make();
    case 'async':
      return (async () => {
        await new Promise((resolve) => setImmediate(resolve));
        throw make();
      })();
    case 'callback':
      callback?.(make());
      return undefined;
    case 'callback-in-data':
      call.once('data', () => callback?.(make()));
      return undefined;
    case 'emit':
      call.emit('error', make());
      return undefined;
    case 'emit-later':
      setImmediate(() => call.emit('error', make()));
      return undefined;
    case 'emit-after-write':
      call.write?.({ ok: 1 });
      setImmediate(() => call.emit('error', make()));
      return undefined;
    case 'throw-after-write':
      call.write?.({ ok: 1 });
      call.write?.({ ok: 2 });
      throw make();
    case 'destroy':
      call.destroy(make());
      return undefined;
    case 'destroy-later':
      setImmediate(() => call.destroy(make()));
      return undefined;
    case 'emit-in-data':
      call.once('data', () => call.emit('error', make()));
      return undefined;
    case 'destroy-in-data':
      call.once('data', () => call.destroy(make()));
      return undefined;
    case 'throw-in-data':
      call.on('data', () => {
        throw make();
      });
      return undefined;
    default:
      throw new Error(`unknown style ${style}`);
  }
}
