/**
 * What names the failing thing on an error object itself, for the repeat key: the fields drivers
 * and clients set to say WHICH constraint, dependency, file or upstream failed, where the message
 * alone folds them away (an address's digits) or does not carry them (a translated message).
 * Read only for errors whose code says they may have them, so other faults pay one test.
 */
import type { ObjectLike } from '../safe-access.js';
import { authorityEnd, authorityHost } from './message-tokens.js';

/** Longest identity kept per value: a longer one is cut (the key stays bounded). */
const MAX_IDENTITY = 200;

/** The host (`host[:port]`) of an absolute URL, without credentials; `''` for anything else. */
function hostOfUrl(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme < 0 || scheme > 10) return '';
  return authorityHost(url, scheme + 3, authorityEnd(url, scheme + 3, url.length));
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
 * The fields last read ({@link readFields}) and the identity made of them: a storm's faults name
 * the same thing, so its identity string is made once, not concatenated anew per fault (about
 * 150 B a recorded fault). Two arrays, swapped when an identity is made. `reading` is true while
 * a value's fields are read: a getter that reports another fault meanwhile (the reporter keys it
 * at once) gets arrays of its own, so it cannot leave the outer value with its fields.
 */
let fields: (string | undefined)[] = [];
let lastFields: (string | undefined)[] = [];
let lastCount = -1;
let lastIdentity = '';
let reading = false;

/**
 * Reads into `fields` what names the failing thing (see {@link failureIdentity}), each slot in a
 * fixed order (`undefined` when absent); returns how many slots were written.
 */
function readFields(value: ObjectLike, code: string, fields: (string | undefined)[]): number {
  let n = 0;
  if (code.length === 5) {
    const v = value as { constraint?: unknown; table?: unknown; column?: unknown };
    fields[0] = text(v.constraint);
    fields[1] = text(v.table);
    fields[2] = text(v.column);
    n = 3;
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
    if (n === 0) fields[0] = fields[1] = fields[2] = undefined;
    fields[3] = text(v.address);
    fields[4] = text(v.port);
    fields[5] = text(v.hostname);
    fields[6] = text(v.path);
    fields[7] = text(v.dest);
    const upstream = upstreamOf(v);
    fields[8] = upstream === '' ? undefined : upstream.slice(0, MAX_IDENTITY);
    n = 9;
  }
  return n;
}

/** The identity the first `n` of `fields` make. */
function joinFields(fields: readonly (string | undefined)[], n: number): string {
  let out = '';
  if (fields[0] !== undefined) out += `c=${fields[0]};`;
  if (fields[1] !== undefined) out += `t=${fields[1]};`;
  if (fields[2] !== undefined) out += `k=${fields[2]};`;
  if (n > 3) {
    if (fields[3] !== undefined) out += `a=${fields[3]}:${fields[4] ?? ''};`;
    if (fields[5] !== undefined) out += `h=${fields[5]};`;
    if (fields[6] !== undefined) out += `p=${fields[6]};`;
    if (fields[7] !== undefined) out += `d=${fields[7]};`;
    if (fields[8] !== undefined) out += `u=${fields[8]};`;
  }
  return out.length > MAX_IDENTITY ? out.slice(0, MAX_IDENTITY) : out;
}

/**
 * The identity of the failing thing `value` (an error with code `code`) names, or `''`: for a
 * SQLSTATE (5 characters: Postgres) the `constraint`, `table` and `column`; for a code like a
 * Node system error's or an HTTP client's (`E…`: `ECONNREFUSED`, `ENOENT`, `ERR_BAD_RESPONSE`)
 * the `address`/`port`, `hostname`, `path`/`dest` and the upstream host. The same fields as the
 * last call's give the very same string. Never throws (a throwing getter gives `''`).
 */
export function failureIdentity(value: ObjectLike, code: unknown): string {
  if (typeof code !== 'string' || code.length < 2) return '';
  if (reading) return identityOnce(value, code);
  let n: number;
  reading = true;
  try {
    n = readFields(value, code, fields);
  } catch {
    return '';
  } finally {
    reading = false;
  }
  if (n === 0) return '';
  if (n === lastCount) {
    let same = true;
    for (let i = 0; i < n && same; i += 1) same = fields[i] === lastFields[i];
    if (same) return lastIdentity;
  }
  const identity = joinFields(fields, n);
  const made = fields;
  fields = lastFields;
  lastFields = made;
  lastCount = n;
  lastIdentity = identity;
  return identity;
}

/** {@link failureIdentity} with arrays of its own, remembering nothing (while a read is under way). */
function identityOnce(value: ObjectLike, code: string): string {
  const own: (string | undefined)[] = [];
  try {
    return joinFields(own, readFields(value, code, own));
  } catch {
    return '';
  }
}
