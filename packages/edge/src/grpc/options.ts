/**
 * The gateway's gRPC option: which gRPC services it routes, to which backends, on which extra
 * cleartext HTTP/2 listeners, and the ErrorInfo domain of its own statuses; checked as strictly as
 * the other option values written into configuration (see `validate.ts`): every refusal names the
 * value given.
 */
import { fail } from '../fail.js';
import { isAddress, type Listeners } from '../listeners.js';

/** gRPC services behind the gateway. */
export interface GatewayGrpcOptions {
  /** gRPC backends (`host:port`, cleartext HTTP/2), balanced round-robin. */
  readonly upstreams: readonly string[];
  /** Fully-qualified services routed to them (`orders.v1.Orders`); another gRPC path is answered UNIMPLEMENTED by the gateway. */
  readonly services: readonly string[];
  /** Cleartext HTTP/2 (h2c) listeners for gRPC only (service-to-service, or behind a TLS terminator). gRPC is also accepted on the public listeners when `tls` is given. */
  readonly listen?: readonly string[];
  /** ErrorInfo.domain in the gateway's own statuses: the gRPC adapter's `domain` (default `faultline`). */
  readonly domain?: string;
}

/** The ErrorInfo domain when none is given (the gRPC adapter's default). */
export const DEFAULT_GRPC_DOMAIN = 'faultline';

/** The `grpc` option checked, its defaults filled in. */
export type GrpcSettings = Required<GatewayGrpcOptions>;

/** A fully-qualified protobuf service name: a package and the service, dot-separated identifiers. */
const SERVICE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/** A plain DNS-like name: labels of letters, digits and inner hyphens, dot-separated. */
const DOMAIN = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A list option: an array of 1 to `max` values (0 allowed when `allowEmpty`), else a refusal naming it. */
function listOf(what: string, value: unknown, max: number, allowEmpty = false): readonly unknown[] {
  if (!Array.isArray(value) || (value.length === 0 && !allowEmpty) || value.length > max)
    fail(what, value, `a list of ${allowEmpty ? 0 : 1} to ${max}`);
  const twice = value.find((item, i) => value.indexOf(item) !== i);
  if (twice !== undefined) fail(`${what} (given twice)`, twice);
  return value;
}

/** The keys of {@link GatewayGrpcOptions}: any other is refused (a misspelt `listen` would leave gRPC unreachable). */
const KEYS: readonly string[] = ['upstreams', 'services', 'listen', 'domain'];

/**
 * Throws a clear error naming the first value of `grpc` that is not safe to write into gateway
 * configuration: backends and listeners must be `host:port`, services fully-qualified names
 * (each one a location or a path rule), the domain a plain DNS-like name, and no other key.
 * `listeners` are the gateway's others: a gRPC listener may not repeat one. `tls`: whether a
 * certificate is given; without one the public listeners speak HTTP/1.1, which carries no gRPC, so
 * `listen` is required. Returns the options with their defaults filled in.
 */
export function validateGrpcOptions(grpc: GatewayGrpcOptions, listeners: Listeners, tls: boolean): GrpcSettings {
  if (typeof grpc !== 'object' || grpc === null || Array.isArray(grpc)) fail('grpc options', grpc);
  for (const key of Object.keys(grpc)) if (!KEYS.includes(key)) fail('grpc option', key);
  for (const upstream of listOf('grpc upstreams', grpc.upstreams, 64))
    if (!isAddress(upstream)) fail('grpc upstream', upstream, 'host:port');
  for (const service of listOf('grpc services', grpc.services, 256))
    if (typeof service !== 'string' || service.length > 200 || !SERVICE.test(service))
      fail('grpc service', service, 'a fully-qualified name such as orders.v1.Orders');
  const listen = grpc.listen === undefined ? [] : listOf('grpc listen addresses', grpc.listen, 16, true);
  const others = new Set([...listeners.public, ...listeners.internal, ...listeners.redirect]);
  for (const address of listen) {
    if (!isAddress(address)) fail('grpc listen address', address, 'host:port');
    if (others.has(address)) fail('grpc listen address (also another listener)', address);
  }
  if (listen.length === 0 && !tls)
    throw new Error(
      'faultline-edge: gRPC needs `tls` (HTTP/2 on the public listeners) or `grpc.listen` (cleartext HTTP/2 listeners of its own): the public listeners without a certificate speak HTTP/1.1, which carries no gRPC',
    );
  const domain = grpc.domain ?? DEFAULT_GRPC_DOMAIN;
  if (typeof domain !== 'string' || domain.length > 128 || !DOMAIN.test(domain))
    fail('grpc domain', grpc.domain, 'a DNS-like name such as orders.example.com');
  return {
    upstreams: grpc.upstreams,
    services: grpc.services,
    listen: listen as readonly string[],
    domain,
  };
}
