/** Whether anything accepts TCP connections at an address: the probe's check before and after a run. */
import { connect } from 'node:net';

/** Resolves true when a TCP connection to `host:port` opens within `timeoutMs` (false on refusal or reset). */
export function reachable(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    const done = (up: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(up);
    };
    // Slow to accept is not down: only a refusal or a reset says nothing listens.
    const onAbort = () => done(true);
    const timer = setTimeout(() => done(true), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(error.code !== 'ECONNREFUSED' && error.code !== 'ECONNRESET'),
    );
  });
}
