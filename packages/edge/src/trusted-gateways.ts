/**
 * Gateways in front of this one (a CDN-like or ingress proxy, another Faultline gateway): the
 * addresses whose `X-Request-ID` and `X-Forwarded-Proto` this gateway keeps. Without them, an
 * inner gateway of a chain replaces the scheme the client used (`https` at the outer gateway) by
 * its own (`http` from the outer one), and replaces an id the outer gateway kept under a wider
 * version policy (a client's v7) by a new one: the backend's record and the inner access log then
 * carry another id than the answer. None by default: the generator cannot know the addresses, and
 * trusting any peer would let a client choose the scheme the backend sees.
 */
import { isIP } from 'node:net';
import { fail } from './fail.js';
import { idPattern } from './request-id.js';

/** The option both generators take. */
export interface TrustedGatewayOptions {
  /**
   * Addresses or CIDR ranges (`10.0.0.2`, `10.0.0.0/24`, `fd00::/8`) of the gateways in front of
   * this one: from them, one `X-Request-ID` that is a UUID of any RFC 9562 version is kept (the
   * outer gateway already applied its own policy), and one `X-Forwarded-Proto` of `http` or
   * `https`. Any other peer's id is kept or replaced by `idVersions`, and its scheme is replaced.
   * Default: none.
   */
  readonly trustedGateways?: readonly string[] | undefined;
}

/** An id a trusted gateway sends: a canonical UUID of any RFC 9562 version (1-8), lower case. */
export const TRUSTED_ID_PATTERN = idPattern([1, 2, 3, 4, 5, 6, 7, 8]);

/** True for an IPv4 or IPv6 address, optionally with a prefix length in range. */
function isRange(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const slash = value.indexOf('/');
  const address = slash === -1 ? value : value.slice(0, slash);
  const version = isIP(address);
  // Zone ids (`fe80::1%eth0`) and any other character gateway syntax would read are refused.
  if (version === 0 || !/^[0-9A-Fa-f:.]+$/.test(address)) return false;
  if (slash === -1) return true;
  const prefix = value.slice(slash + 1);
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** The trusted gateways, checked (throws naming the first value that is not an address or range); `[]` when none. */
export function trustedGatewaysOf(options: TrustedGatewayOptions): readonly string[] {
  const value = options.trustedGateways;
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 64) fail('trusted gateways', value, 'a list of up to 64 addresses');
  for (const item of value) if (!isRange(item)) fail('trusted gateway', item, 'an IP address or CIDR range');
  return value as string[];
}
