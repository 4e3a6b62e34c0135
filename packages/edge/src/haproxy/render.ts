/**
 * HAProxy (2.6+) configuration generated from the taxonomy: the errors HAProxy produces itself
 * (`http-error`), over-long URLs and headers, unrouted paths and oversized bodies
 * (`http-request return`), foreign backend 5xx and backend 4xx that are not JSON (`http-response
 * return`, see `replies.ts`) answered with the pages core renders; one UUID request id (kept when
 * valid, else `uuid(4)`) sent upstream, logged as JSON and returned; on answers that pass, URLs on
 * internal hosts rewritten to their path, `WWW-Authenticate` cut to what a client needs (see
 * `passing.ts`) and the standard reason phrase (`reasons.ts`); TLS 1.3 only with HTTP/2; public,
 * internal and redirect listeners in one file; with `grpc`, gRPC services on h2c backends, the
 * gateway's own errors answered as gRPC statuses (`grpc-rules.ts`).
 */

import { fail } from '../fail.js';
import { grpcGatewayAnswers } from '../grpc/answers.js';
import { type GatewayGrpcOptions, validateGrpcOptions } from '../grpc/options.js';
import type { ListenerOptions, Listeners } from '../listeners.js';
import {
  faultlineContentTypes,
  type GatewayFailure,
  type GatewayPage,
  type GatewayPageOptions,
  gatewayPages,
} from '../pages.js';
import type { UuidVersion } from '../request-id.js';
import {
  type ClientTimeoutOptions,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_HEADER_TIMEOUT,
  DEFAULT_READ_TIMEOUT,
  DEFAULT_TUNNEL_TIMEOUT,
} from '../timeouts.js';
import { type TrustedGatewayOptions, trustedGatewaysOf } from '../trusted-gateways.js';
import { validateGatewayOptions } from '../validate.js';
import { type GrpcConfig, grpcConfig } from './grpc-rules.js';
import { type HaproxyLimits, haproxyLimits, tuneLines } from './limits.js';
import { answer, otherErrors } from './replies.js';
import { forwardingRules, hostRules, idRules, TRAFFIC_LOG } from './request-rules.js';
import { backendResponseRules, frontendResponseRules } from './responses.js';
import { retryLines } from './retries.js';
import { UPGRADE_REQUEST_RULES } from './upgrade.js';

export { DEFAULT_HAPROXY_LIMITS, type HaproxyLimits } from './limits.js';

/** Options of {@link renderHaproxy}. */
export interface HaproxyOptions
  extends GatewayPageOptions,
    ListenerOptions,
    ClientTimeoutOptions,
    TrustedGatewayOptions,
    Partial<HaproxyLimits> {
  /** Backend addresses (`host:port`), balanced round-robin. */
  readonly upstreams: readonly string[];
  /** One PEM file holding the certificate and its key (or the key beside it as `<file>.key`): the public listeners are TLS 1.3 only with HTTP/2. */
  readonly tls?: { readonly certificate: string };
  /** Path prefixes sent to the backends (default `['/']`); anything else is answered 404. */
  readonly routes?: readonly string[];
  /** Largest declared request body, in bytes (default 1 MiB); larger is answered 413. */
  readonly maxBodyBytes?: number;
  /** Seconds to wait for a backend to connect (default 5); past it, 504. */
  readonly connectTimeout?: number;
  /** Seconds to wait for a backend's answer (default 30); past it, 504. */
  readonly readTimeout?: number;
  /** RFC 9562 versions of an incoming `X-Request-ID` that are kept (default `[4]`); any other id is replaced by a new v4. */
  readonly idVersions?: readonly UuidVersion[];
  /** gRPC services behind the gateway. */
  readonly grpc?: GatewayGrpcOptions;
  /**
   * Also retry, on another server, a request of an idempotent method a server closed without
   * answering (default false: the 502 page, or a kept-alive client connection closed). Costs
   * HAProxy a copy of every request (about 4.7 times its instructions a request): see retries.ts.
   */
  readonly retryClosed?: boolean;
}

/** The HAProxy-generated statuses answered by a gateway page (`http-error`). */
export const HAPROXY_STATUSES: Readonly<Record<number, GatewayFailure>> = {
  400: 'malformed',
  408: 'request_timeout',
  429: 'rate_limited',
  500: 'internal',
  501: 'not_implemented',
  502: 'bad_gateway',
  503: 'unavailable',
  504: 'timeout',
};

/**
 * The JSON log line (`json(utf8s)` skips bytes that are not UTF-8: every line is UTF-8 JSON); with
 * `grpc`, a `grpc_status` field: the status of a trailers-only gRPC answer (the gateway's own, or
 * a backend's error before any message) kept by the gRPC backend's rule. The `uri` is the target
 * up to its query, as nginx's `$uri`: a query may carry a token (`?access_token=…`, a reset link's).
 */
function logFormat(grpc: boolean): string {
  const status = grpc ? '"grpc_status":"%[var(txn.grpc_status),json(utf8s)]",' : '';
  return `'{"time":"%[date,ltime(%Y-%m-%dT%H:%M:%S%z)]","request_id":"%[var(txn.request_id),json(utf8s)]","remote_addr":"%ci","method":"%HM","uri":"%[capture.req.uri,field(1,?),json(utf8s)]","protocol":"%HV","status":%ST,"upstream_status":"%[var(txn.upstream_status)]",${status}"request_time_ms":%Ta,"bytes_sent":%B}'`;
}

/** The public (TLS when a certificate is given) and internal (plain) `bind` lines. */
function binds(listeners: Listeners, certificate: string | undefined): string {
  const tls = certificate === undefined ? '' : ` ssl crt ${certificate} alpn h2,http/1.1 ssl-min-ver TLSv1.3`;
  return [
    ...listeners.public.map((address) => `  bind ${address}${tls}`),
    ...listeners.internal.map((address) => `  bind ${address}`),
  ].join('\n');
}

/** The frontend of the plain ports that only redirect (301, no body) to the first public listener. */
function redirectFrontend(
  listeners: Listeners,
  versions: readonly UuidVersion[] | undefined,
  trusted: readonly string[],
  malformed: string,
): string {
  if (listeners.redirect.length === 0) return '';
  const port = listeners.httpsPort === 443 ? '' : `:${listeners.httpsPort}`;
  return `
frontend faultline_redirect
${listeners.redirect.map((address) => `  bind ${address}`).join('\n')}
${TRAFFIC_LOG}
${idRules(versions, trusted)}
${hostRules(malformed)}
  http-request redirect location https://%[req.hdr(host),regsub(:[0-9]+$,)]${port}%[pathq] code 301
  http-after-response set-header x-request-id %[var(txn.request_id)]
`;
}

/** The configuration of the `grpc` option, checked (throws naming the value). */
function grpcPart(
  grpc: GatewayGrpcOptions,
  options: HaproxyOptions,
  listeners: Listeners,
  limits: HaproxyLimits,
  maxBodyBytes: number,
  notFoundPage: string,
  trustedGateways: readonly string[],
): GrpcConfig {
  const settings = validateGrpcOptions(grpc, listeners, options.tls !== undefined);
  return grpcConfig({
    settings,
    answers: grpcGatewayAnswers({ domain: settings.domain }),
    limits,
    maxBodyBytes,
    idVersions: options.idVersions,
    trustedGateways,
    statuses: HAPROXY_STATUSES,
    notFoundPage,
    public: options.tls !== undefined,
  });
}

/** The standalone `haproxy.cfg` (run with `haproxy -f haproxy.cfg`). Throws when an option value is not safe to write. */
export function renderHaproxy(options: HaproxyOptions): string {
  const listeners = validateGatewayOptions(options);
  const trusted = trustedGatewaysOf(options);
  const limits = haproxyLimits({
    ...(options.bufferSize === undefined ? {} : { bufferSize: options.bufferSize }),
    ...(options.maxHeaderCount === undefined ? {} : { maxHeaderCount: options.maxHeaderCount }),
    ...(options.maxUrlBytes === undefined ? {} : { maxUrlBytes: options.maxUrlBytes }),
    ...(options.maxHeaderBytes === undefined ? {} : { maxHeaderBytes: options.maxHeaderBytes }),
  });
  const max = options.maxBodyBytes ?? 1_048_576;
  if (!Number.isSafeInteger(max) || max < 1) fail('body size', max, 'a whole number of bytes');
  const pages = new Map(gatewayPages(options).map((p) => [p.failure, p]));
  const page = (failure: GatewayFailure) => answer(pages.get(failure) as GatewayPage);
  const contentTypes = faultlineContentTypes(options).map((type) => `"${type}"`);
  const routes = options.routes ?? ['/'];
  const grpc =
    options.grpc === undefined
      ? undefined
      : grpcPart(options.grpc, options, listeners, limits, max, page('not_found'), trusted);
  return `# Generated by faultline-edge. Do not edit: regenerate from the taxonomy.
global
  # HAProxy's own messages (a server down, no server left) go to stderr: each frontend replaces
  # this with its own logger, its traffic to stdout, one JSON object a line.
  log stderr len 8192 format raw local0
  ssl-default-bind-options ssl-min-ver TLSv1.3
  # A graceful stop or reload (SIGUSR1) closes what is still open after this long: a busy
  # WebSocket tunnel would otherwise keep the old process forever (as nginx's worker_shutdown_timeout).
  hard-stop-after ${options.readTimeout ?? DEFAULT_READ_TIMEOUT}s
  # Requests larger than bufsize - maxrewrite, or with more than maxhdr header lines, get
  # HAProxy's built-in 400 before any rule; below that, the limits are answered 414/431 below.
${tuneLines(limits).join('\n')}
${grpc === undefined ? '' : grpc.globalLines.map((line) => `${line}\n`).join('')}
defaults
  mode http
  log global
  option http-keep-alive
  # A connection that sends nothing is closed in silence (not HAProxy 2.6's built-in HTML 408,
  # which no http-error replaces), as nginx does.
  option http-ignore-probes
  timeout http-request ${options.headerTimeout ?? DEFAULT_HEADER_TIMEOUT}s
  timeout client 30s
  # An upgraded connection (a WebSocket) idle this long is closed (without it, 30 s: timeout client).
  timeout tunnel ${options.tunnelTimeout ?? DEFAULT_TUNNEL_TIMEOUT}s
  timeout connect ${options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT}s
  timeout server ${options.readTimeout ?? DEFAULT_READ_TIMEOUT}s
  # A connection that never made a request (a failed TLS handshake, for example) is logged in the
  # same JSON, with "status":0 (as the nginx gateway writes a request it never answered).
  error-log-format ${logFormat(grpc !== undefined)}
  log-format ${logFormat(grpc !== undefined)}
  # HAProxy's own answers once a request is parsed, with the request id (\`http-error\`). Those its
  # HTTP/1 parser makes before (a request it cannot parse: 400; a head cut short: 408) are its
  # built-in text: HAProxy 2.6 applies no error page there, and no request id exists yet.
${Object.values(HAPROXY_STATUSES)
  .map((failure) => `  http-error ${page(failure)}`)
  .join('\n')}
${otherErrors(options, pages).join('\n')}

frontend faultline
${binds(listeners, options.tls?.certificate)}
${TRAFFIC_LOG}
${idRules(options.idVersions, trusted)}
${forwardingRules(trusted)}
${UPGRADE_REQUEST_RULES.join('\n')}
${grpc === undefined ? '' : grpc.requestRules.map((rule) => `${rule}\n`).join('')}${hostRules(page('malformed'))}
  # TRACE would echo the request's headers (cookies, credentials) from a backend that implements
  # it: answered 405 here, as nginx does.
  http-request return ${page('method_not_allowed')} if METH_TRACE
  http-request return ${page('uri_too_long')} if { url,length gt ${limits.maxUrlBytes} }
  http-request return ${page('header_fields_too_large')} if { req.hdrs,length gt ${limits.maxHeaderBytes} }
  # Content-Length only: a body without one (chunked HTTP/1.1, HTTP/2 without content-length) is
  # not measured by HAProxy 2.6 beyond its buffer; the application's own limit answers it (413).
  http-request return ${page('payload_too_large')} if { req.hdr_val(content-length) gt ${max} }
  # A dot-segment, as sent or percent-encoded, is refused: the routes are matched on the path as
  # sent, and a backend that resolves /api/../admin would serve a path outside them (nginx
  # matches its locations on the resolved path).
  http-request return ${page('not_found')} if { path -m reg -i '(^|/|\\\\|%2f|%5c)([.]|%2e)([.]|%2e)?(/|\\\\|%2f|%5c|$)' }
  http-request return ${page('not_found')} unless ${routes.map((r) => `{ path_beg ${r} }`).join(' || ')}
${grpc === undefined || grpc.useBackend === '' ? '' : `${grpc.useBackend}\n`}  default_backend faultline_backends
  # The rules of every answer that passes, after the backend's (see responses.ts).
${frontendResponseRules().join('\n')}
${redirectFrontend(listeners, options.idVersions, trusted, page('malformed'))}${grpc?.sections ?? ''}
backend faultline_backends
  balance roundrobin
${retryLines(options.retryClosed).join('\n')}
  acl faultline_type res.hdr(content-type) -m str ${contentTypes.join(' ')}
  acl faultline_id res.hdr(x-request-id),strcmp(txn.request_id) eq 0
${backendResponseRules(options, pages, contentTypes, HAPROXY_STATUSES).join('\n')}
${options.upstreams.map((u, i) => `  server s${i + 1} ${u} check inter 2s fall 1 rise 1`).join('\n')}
`;
}
