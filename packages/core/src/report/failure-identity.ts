/**
 * What names the failing thing on an error object itself, for the repeat key: the fields drivers
 * and clients set to say WHICH constraint, dependency, file or upstream failed, where the message
 * alone folds them away (an address's digits) or does not carry them (a translated message).
 * Read only for errors whose code says they may have them, so other faults pay one test.
 */
import type { ObjectLike } from '../safe-access.js';

/** Longest identity kept per value: a longer one is cut (the key stays bounded). */
const MAX_IDENTITY = 200;

/** The host (`host[:port]`) of an absolute URL, without credentials; `''` for anything else. */
function hostOfUrl(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme < 0 || scheme > 10) return '';
  let end = url.length;
  for (const stop of ['/', '?', '#']) {
    const at = url.indexOf(stop, scheme + 3);
    if (at >= 0 && at < end) end = at;
  }
  const authority = url.slice(scheme + 3, end);
  return authority.slice(authority.lastIndexOf('@') + 1);
}

/** The upstream host of a URL given as a string, or a `URL`-like object's `host`. */
function hostOf(url: unknown): string {
  if (typeof url === 'string') return hostOfUrl(url);
  if (typeof url === 'object' && url !== null) {
    const host = (url as { host?: unknown }).host;
    if (typeof host === 'string') return host;
  }
  return '';
}

/**
 * The upstream an HTTP client's error was for: axios's `config` (`url`, else `baseURL`), got's
 * `options.url`. Only the host: the path and query carry request data (ids, tokens).
 */
function upstreamOf(v: { config?: unknown; options?: unknown }): string {
  const config = v.config;
  if (typeof config === 'object' && config !== null) {
    const c = config as { url?: unknown; baseURL?: unknown };
    return hostOf(c.url) || hostOf(c.baseURL);
  }
  const options = v.options;
  if (typeof options === 'object' && options !== null) return hostOf((options as { url?: unknown }).url);
  return '';
}

/** `value` as a short string when it is a string or a number, else `undefined`. */
function text(value: unknown): string | undefined {
  return typeof value === 'string'
    ? value.slice(0, MAX_IDENTITY)
    : typeof value === 'number'
      ? String(value)
      : undefined;
}

/**
 * The identity of the failing thing `value` (an error with code `code`) names, `','`-joined, or
 * `''`: for a SQLSTATE (5 characters: Postgres) the `constraint`, `table` and `column`; for a code
 * like a Node system error's or an HTTP client's (`E…`: `ECONNREFUSED`, `ENOENT`, `ERR_BAD_RESPONSE`)
 * the `address`/`port`, `hostname`, `path`/`dest` and the upstream host. Never throws (a throwing
 * getter gives `''`).
 */
export function failureIdentity(value: ObjectLike, code: unknown): string {
  if (typeof code !== 'string' || code.length < 2) return '';
  let out = '';
  try {
    if (code.length === 5) {
      const v = value as { constraint?: unknown; table?: unknown; column?: unknown };
      const constraint = text(v.constraint);
      const table = text(v.table);
      const column = text(v.column);
      if (constraint !== undefined) out += `c=${constraint};`;
      if (table !== undefined) out += `t=${table};`;
      if (column !== undefined) out += `k=${column};`;
    }
    if (code.charCodeAt(0) === 69 && code.charCodeAt(1) >= 65 && code.charCodeAt(1) <= 90) {
      const v = value as {
        address?: unknown;
        port?: unknown;
        hostname?: unknown;
        path?: unknown;
        dest?: unknown;
        config?: unknown;
        options?: unknown;
      };
      const address = text(v.address);
      const port = text(v.port);
      const hostname = text(v.hostname);
      const path = text(v.path);
      const dest = text(v.dest);
      if (address !== undefined) out += `a=${address}:${port ?? ''};`;
      if (hostname !== undefined) out += `h=${hostname};`;
      if (path !== undefined) out += `p=${path};`;
      if (dest !== undefined) out += `d=${dest};`;
      const upstream = upstreamOf(v);
      if (upstream !== '') out += `u=${upstream.slice(0, MAX_IDENTITY)};`;
    }
  } catch {
    return '';
  }
  return out.length > MAX_IDENTITY ? out.slice(0, MAX_IDENTITY) : out;
}
