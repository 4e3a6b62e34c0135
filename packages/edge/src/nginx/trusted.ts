/**
 * nginx's part of the `trustedGateways` option (see `trusted-gateways.ts`): which peer is a trusted
 * gateway (`geo`, a radix-tree lookup of the peer's address), and the scheme sent upstream. Without
 * the option nothing of it is written: the request path is unchanged.
 */

/**
 * The http-context blocks for the trusted gateways: `$faultline_trusted_gateway` (`1` for a peer in
 * `ranges`, else `0`) and `$faultline_forwarded_proto` (the trusted peer's `X-Forwarded-Proto` when
 * it is `http` or `https`, else the scheme of this hop). Empty when `ranges` is.
 */
export function nginxTrustedBlocks(ranges: readonly string[]): string {
  if (ranges.length === 0) return '';
  return `# The gateways in front of this one (trustedGateways): their X-Request-ID (any UUID version)
# and X-Forwarded-Proto are kept; any other peer's scheme is replaced by this hop's.
geo $faultline_trusted_gateway {
  default 0;
${ranges.map((range) => `  ${range} 1;`).join('\n')}
}
map "$faultline_trusted_gateway:$http_x_forwarded_proto" $faultline_forwarded_proto {
  "1:https" https;
  "1:http" http;
  default $scheme;
}
`;
}

/** The value of `X-Forwarded-Proto` sent upstream: the trusted gateway's scheme (with `ranges`), else this hop's. */
export function nginxForwardedProto(ranges: readonly string[]): string {
  return ranges.length === 0 ? '$scheme' : '$faultline_forwarded_proto';
}
