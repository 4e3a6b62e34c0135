/**
 * The options of the authenticated syslog drain (`syslogTls`, tls-sink.ts), and the warning
 * `allowTls12` gives.
 */
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { sayOnce } from '../stderr-notice.js';

/** Options of {@link syslogTls}. */
export interface SyslogTlsOptions {
  readonly host: string;
  readonly port: number;
  /** CA that signed the receiver's certificate (PEM). */
  readonly ca: string | Buffer;
  /** This service's client certificate and key (PEM). */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** Name checked against the receiver's certificate (default `host`). */
  readonly servername?: string;
  /** APP-NAME (default `faultline`). */
  readonly appName?: string;
  /** Facility (default 16, local0). */
  readonly facility?: number;
  /**
   * Most bytes of one syslog message, header included (default 8096, what rsyslog's default
   * `maxMessageSize` takes; RFC 5425 receivers must take 2048). A longer record is cut to it: receivers
   * split an oversized message, and parse what is past their limit as messages of its own. Set it
   * to the receiver's limit.
   */
  readonly maxMessageBytes?: number;
  /** Bytes held while the drain is slow or down (default 4 MiB). */
  readonly maxBacklogBytes?: number;
  /** Connect + handshake timeout (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * Wait after a TLS 1.3 handshake before sending (default 250 ms). In TLS 1.3 the receiver checks
   * the client certificate after the client considers the handshake done; a refusal arrives as an
   * alert one round trip later. Sending at once would count lines as written that the receiver
   * threw away.
   */
  readonly handshakeGraceMs?: number;
  /** First reconnect delay, doubled up to `maxBackoffMs` (defaults 100 ms and 30 s). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /**
   * Accept a receiver that speaks only TLS 1.2 (default false: TLS 1.3 only). Said once on stderr
   * when set, since 1.2 allows weaker suites and no downgrade protection of its own.
   */
  readonly allowTls12?: boolean;
  /** Internal: the warning was already given on another thread. */
  readonly allowTls12Quietly?: boolean;
}

/** Says once per process on stderr that TLS 1.2 is allowed for the syslog drain. */
export function warnTls12Once(): void {
  sayOnce('tls12', 'faultline: syslogTls allows TLS 1.2 (allowTls12); the product rule is TLS 1.3\n');
}

/** The `tls.connect` options of a drain: its receiver, certificates and lowest TLS version. */
export function connectionOptions(options: SyslogTlsOptions): ConnectionOptions {
  const out: ConnectionOptions = {
    host: options.host,
    port: options.port,
    ca: options.ca,
    cert: options.cert,
    key: options.key,
    minVersion: options.allowTls12 === true ? 'TLSv1.2' : 'TLSv1.3',
  };
  // SNI takes a host name only (RFC 6066): an IP address there is deprecated in Node (DEP0123,
  // a warning on every connection). Without one, the certificate is checked against `host`.
  const servername = options.servername ?? (isIP(options.host) === 0 ? options.host : undefined);
  if (servername !== undefined) out.servername = servername;
  return out;
}
