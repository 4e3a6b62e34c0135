/**
 * Correlation ids: one UUID v4 per request (or per error where there is no request), shown to
 * the client and written to the log record and the span, so a client's report resolves to the
 * full record. An incoming id is kept only when the id policy allows it: by default a single
 * UUID v4 (lower-cased), from any peer; anything else is replaced and never reflected.
 */
import { BlockList, isIP } from 'node:net';
import { describeValue, OptionsError } from './options-check.js';
import { markCanonical, newUuid } from './uuid.js';

/**
 * A canonical UUID (RFC 9562: versions 1-8, variant 10xx) in lower case, as a regular-expression
 * source. {@link isUuid} applies it case-insensitively.
 */
export const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';

const UUID = new RegExp(UUID_PATTERN, 'i');

/** True when `value` is an RFC 9562 UUID (any version 1-8, variant 10xx) in canonical form. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && value.length === 36 && UUID.test(value);
}

/** The RFC 9562 version of a canonical UUID (its 15th character), or 0 for anything else. */
function versionOf(value: string): number {
  return value.charCodeAt(14) - 48;
}

/** A new correlation id (UUID v4 from the CSPRNG). */
export function newCorrelationId(): string {
  return newUuid();
}

/** Options that decide which incoming ids are kept (every adapter takes them). */
export interface RequestIdOptions {
  /**
   * RFC 9562 versions of an incoming id that are kept (default `[4]`, the version Faultline and
   * its gateway make). Add 7 when a gateway in front makes v7 ids.
   */
  readonly acceptIdVersions?: readonly number[];
  /**
   * Addresses or CIDRs (`10.0.0.0/8`, `::1`, `fd00::/8`) of the proxies in front of the service.
   * When given, an incoming id is kept only from those peers; from any other peer it is replaced
   * and the refused value is logged. Default: ids are kept from any peer (set this in production).
   */
  readonly trustedProxies?: readonly string[];
}

/** A compiled {@link RequestIdOptions}: see {@link requestIdPolicy}. */
export interface RequestIdPolicy {
  /** Bit `1 << v` is set for each accepted version. */
  readonly versions: number;
  /** The trusted peers, or undefined when every peer is trusted. */
  readonly trusted: BlockList | undefined;
}

/** The default policy: UUID v4 only, from any peer. */
export const DEFAULT_ID_POLICY: RequestIdPolicy = Object.freeze({ versions: 1 << 4, trusted: undefined });

/** Adds one `address` or `address/prefix` entry to `list`, or throws naming the value. */
function addTrusted(where: string, list: BlockList, entry: unknown): void {
  const text = typeof entry === 'string' ? entry.trim() : '';
  const [address = '', prefix, extra] = text.split('/');
  const family = isIP(address);
  const bits = prefix === undefined ? undefined : Number(prefix);
  const max = family === 6 ? 128 : 32;
  if (
    family === 0 ||
    extra !== undefined ||
    (bits !== undefined && (!/^\d{1,3}$/.test(prefix ?? '') || (bits as number) > max))
  ) {
    throw new OptionsError(
      where,
      'trustedProxies',
      `has ${describeValue(entry)}; expected IP addresses or CIDRs such as "10.0.0.5", "10.0.0.0/8", "fd00::/8"`,
    );
  }
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (bits === undefined) list.addAddress(address, type);
  else list.addSubnet(address, bits, type);
}

/**
 * Compiles and checks id options. Throws an {@link OptionsError} naming the option and the value
 * given when a version is not 1-8 or a proxy entry is not an address or CIDR; `where` names the
 * caller in the message.
 */
export function requestIdPolicy(options: RequestIdOptions = {}, where = '@faultline/core'): RequestIdPolicy {
  const { acceptIdVersions, trustedProxies } = options;
  if (acceptIdVersions === undefined && trustedProxies === undefined) return DEFAULT_ID_POLICY;
  let versions = DEFAULT_ID_POLICY.versions;
  if (acceptIdVersions !== undefined) {
    if (!Array.isArray(acceptIdVersions) || acceptIdVersions.length === 0) {
      throw new OptionsError(
        where,
        'acceptIdVersions',
        `is ${describeValue(acceptIdVersions)}; expected a non-empty array of UUID versions 1-8, e.g. [4, 7]`,
      );
    }
    versions = 0;
    for (const version of acceptIdVersions) {
      if (!Number.isInteger(version) || version < 1 || version > 8) {
        throw new OptionsError(where, 'acceptIdVersions', `has ${describeValue(version)}; expected UUID versions 1-8`);
      }
      versions |= 1 << version;
    }
  }
  let trusted: BlockList | undefined;
  if (trustedProxies !== undefined) {
    if (!Array.isArray(trustedProxies)) {
      throw new OptionsError(
        where,
        'trustedProxies',
        `is ${describeValue(trustedProxies)}; expected an array of IP addresses or CIDRs`,
      );
    }
    trusted = new BlockList();
    for (const entry of trustedProxies) addTrusted(where, trusted, entry);
  }
  return Object.freeze({ versions, trusted });
}

/** True when `peer` (a socket's remote address) may set the id under `policy`. */
export function peerTrusted(policy: RequestIdPolicy, peer: string | undefined): boolean {
  if (policy.trusted === undefined) return true;
  if (peer === undefined) return false;
  const family = isIP(peer);
  if (family === 0) return false;
  try {
    return policy.trusted.check(peer, family === 6 ? 'ipv6' : 'ipv4');
  } catch {
    return false;
  }
}

/** True when `value` is a canonical UUID of a version `policy` accepts. */
export function isAcceptedId(value: unknown, policy: RequestIdPolicy = DEFAULT_ID_POLICY): value is string {
  return isUuid(value) && (policy.versions & (1 << versionOf(value))) !== 0;
}

/** The outcome of looking at an incoming id. */
export interface ResolvedCorrelationId {
  /** The id to use: the incoming one when the policy accepts it, else a new one. */
  readonly id: string;
  /** When an incoming value was refused: a log-safe rendering of it (escaped, truncated). */
  readonly rejected: string | undefined;
}

/**
 * Picks the correlation id for a request from an incoming header or metadata value (a string, or
 * an array of them as Node gives repeated headers). Only a single id of an accepted version, from
 * a trusted peer (`peer` is the socket's remote address), is kept, and it is returned in lower case.
 */
export function resolveCorrelationId(
  incoming: unknown,
  policy: RequestIdPolicy = DEFAULT_ID_POLICY,
  peer?: string,
): ResolvedCorrelationId {
  if (incoming === undefined || incoming === null || incoming === '') return { id: newUuid(), rejected: undefined };
  // Canonical form is lower case (RFC 9562 §4): an upper-case id is kept, normalised, so logs and answers match.
  if (isAcceptedId(incoming, policy) && peerTrusted(policy, peer)) {
    return { id: markCanonical(incoming.toLowerCase()), rejected: undefined };
  }
  return { id: newUuid(), rejected: escapeForLog(incoming) };
}

/**
 * Renders any value as a short single-line ASCII string for logs: control characters, non-ASCII,
 * quotes and backslashes are escaped (so CR/LF, ANSI escapes and U+2028/2029 cannot forge log
 * lines), and the result is cut to `max` characters with an ellipsis marker.
 */
export function escapeForLog(value: unknown, max = 64): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (Array.isArray(value)) text = `[array of ${value.length}]`;
  else text = `[${typeof value}]`;
  const cut = text.length > max ? text.slice(0, max) : text;
  const escaped = cut.replace(/[^\x20-\x7e]|["\\]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return text.length > max ? `${escaped}...(${text.length} chars)` : escaped;
}
