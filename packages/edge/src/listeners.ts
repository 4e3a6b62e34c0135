/**
 * The listeners one gateway configuration serves: public ones (TLS 1.3 with HTTP/2 when a
 * certificate is given), internal plain HTTP/1.1 ones for service-to-service traffic, and plain
 * ones that only redirect to HTTPS. Every address is kept: none replaces another.
 */
import { fail } from './fail.js';

/** The listener options both generators take. */
export interface ListenerOptions {
  /** Public listeners (`host:port`, default `127.0.0.1:8443`): TLS 1.3 + HTTP/2 when `tls` is given, else plain HTTP/1.1. */
  readonly listen?: string | readonly string[] | undefined;
  /** Internal plain HTTP/1.1 listeners for service-to-service traffic (for example `10.0.0.2:8080`); same answers and ids as the public ones. */
  readonly internalListen?: readonly string[] | undefined;
  /** Plain listeners that only redirect (301) to the first public listener over HTTPS; they need `tls`. */
  readonly redirectListen?: readonly string[] | undefined;
}

/** The listeners, checked. */
export interface Listeners {
  readonly public: readonly string[];
  readonly internal: readonly string[];
  readonly redirect: readonly string[];
  /** The port the redirects send clients to (the first public listener's). */
  readonly httpsPort: number;
}

/** The public listener when none is given. */
export const DEFAULT_LISTEN = '127.0.0.1:8443';

const ADDRESS = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;

/** The port of a `host:port` address. */
export function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

/** True for a `host:port` (or `[v6]:port`) address with a port in 1-65535. */
export function isAddress(value: unknown): value is string {
  return typeof value === 'string' && ADDRESS.test(value) && portOf(value) >= 1 && portOf(value) <= 65535;
}

function list(what: string, value: unknown, allowEmpty: boolean): string[] {
  if (value === undefined) return [];
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || (items.length === 0 && !allowEmpty) || items.length > 16) fail(what, value);
  for (const item of items) if (!isAddress(item)) fail(what, item);
  return items as string[];
}

/** Checks the listener options (throws naming the value) and returns every listener; `tls` tells whether a certificate is given. */
export function listenersOf(options: ListenerOptions, tls: boolean): Listeners {
  const given = list('listen address', options.listen, false);
  const listeners = {
    public: options.listen === undefined ? [DEFAULT_LISTEN] : given,
    internal: list('internal listen address', options.internalListen, true),
    redirect: list('redirect listen address', options.redirectListen, true),
  };
  const seen = new Set<string>();
  for (const address of [...listeners.public, ...listeners.internal, ...listeners.redirect]) {
    if (seen.has(address)) fail('listen address (given twice)', address);
    seen.add(address);
  }
  if (listeners.redirect.length > 0 && !tls)
    fail('redirect listen address (a redirect to HTTPS needs a certificate)', listeners.redirect[0]);
  return { ...listeners, httpsPort: portOf(listeners.public[0] as string) };
}
