/** Parsing a target and refusing anything but loopback unless told otherwise. */

/** A parsed target. */
export interface Target {
  readonly protocol: 'http' | 'grpc' | 'ws';
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
  /** Base path (HTTP) or path (WebSocket). */
  readonly path: string;
  readonly url: string;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  'http:': 80,
  'https:': 443,
  'ws:': 80,
  'wss:': 443,
  'grpc:': 50051,
  'grpcs:': 443,
};

/** Schemes spoken over TLS. */
const TLS_SCHEMES: ReadonlySet<string> = new Set(['https:', 'wss:', 'grpcs:']);

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Parses `text`; throws an Error with a clear message for anything unsupported or not allowed. */
export function parseTarget(text: string, allowRemote: boolean): Target {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`not a URL: ${JSON.stringify(text.slice(0, 200))} (expected http(s)://, grpc(s):// or ws(s)://)`);
  }
  const scheme = url.protocol;
  const protocol = scheme.startsWith('http')
    ? 'http'
    : scheme.startsWith('grpc')
      ? 'grpc'
      : scheme.startsWith('ws')
        ? 'ws'
        : undefined;
  if (protocol === undefined) throw new Error(`unsupported scheme ${scheme} (expected http(s), grpc(s) or ws(s))`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowRemote && !isLoopback(host))
    throw new Error(`${host} is not a loopback address: pass --allow-remote to probe it`);
  const port = url.port === '' ? (DEFAULT_PORTS[scheme] ?? 80) : Number(url.port);
  return {
    protocol,
    // https:, wss: and grpcs: only ('ws:' also ends with 's:', and is plain TCP).
    tls: TLS_SCHEMES.has(scheme),
    host,
    port,
    path: url.pathname === '' ? '/' : url.pathname,
    url: text,
  };
}
