/**
 * Whether a gRPC target completes an HTTP/2 handshake (its SETTINGS arrive) in time. grpc-js
 * closes a channel gracefully, which never ends against a server that never speaks: the probe
 * checks with a session it can destroy before it hands the target to grpc-js.
 */
import { connect } from 'node:http2';

/** Resolves true when the server's SETTINGS arrive within `timeoutMs`; the session is destroyed either way. */
export function handshake(
  target: { host: string; port: number; tls: boolean },
  timeoutMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const host = target.host.includes(':') ? `[${target.host}]` : target.host;
    const session = connect(`${target.tls ? 'https' : 'http'}://${host}:${target.port}`, {
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
    });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      session.destroy();
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    session.once('remoteSettings', () => done(true));
    session.once('error', () => done(false));
    session.once('close', () => done(false));
  });
}
