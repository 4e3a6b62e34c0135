/**
 * nginx configuration generated from the taxonomy: every error nginx produces itself answered in
 * the application's shape, foreign backend 5xx and backend 4xx that are not JSON replaced (njs filter), one UUID request id from the
 * edge to the backend and back (kept when valid, else generated), a JSON access log keyed by it,
 * no product name or version anywhere, TLS 1.3 only with HTTP/2 over ALPN, and every listener a
 * deployment needs (public, internal, redirect) in one configuration.
 */

import { fail } from '../fail.js';
import { foreign4xxTemplates } from '../foreign-4xx.js';
import { grpcGatewayAnswers } from '../grpc/answers.js';
import { grpcBackendStatuses } from '../grpc/backend-statuses.js';
import { type GatewayGrpcOptions, validateGrpcOptions } from '../grpc/options.js';
import type { ListenerOptions } from '../listeners.js';
import { INTERNAL_COOKIE_DOMAIN, INTERNAL_LOCATION } from '../location.js';
import { faultlineContentTypes, type GatewayPage, type GatewayPageOptions, gatewayPages } from '../pages.js';
import { idPattern, type UuidVersion } from '../request-id.js';
import {
  type ClientTimeoutOptions,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_HEADER_TIMEOUT,
  DEFAULT_READ_TIMEOUT,
} from '../timeouts.js';
import { TRUSTED_ID_PATTERN, type TrustedGatewayOptions, trustedGatewaysOf } from '../trusted-gateways.js';
import { bytesOf, checkInteger, SIZE, validateGatewayOptions } from '../validate.js';
import { nginxFilterScript } from './filter-script.js';
import {
  ANSWER_KIND,
  grpcAnswerLocations,
  grpcHttpConf,
  grpcServerConf,
  NGINX_LOCATION_STATUSES,
  type NginxGrpcParts,
} from './grpc.js';
import { njsGrpcDetails } from './grpc-script.js';
import { httpConf } from './http-conf.js';
import { errorPages, pageLocations, quoted } from './pages.js';
import { renderStandalone } from './standalone.js';
import { nginxForwardedProto } from './trusted.js';
import { NGINX_UPGRADE_LINES, nginxUpgradeLocation } from './upgrade.js';

export { NGINX_STATUSES } from './pages.js';

/** nginx's `large_client_header_buffers`: `count` buffers of `size` for the request line and headers. */
export interface HeaderBuffers {
  /** How many buffers (1-64). The request's headers must fit in them together. */
  readonly count: number;
  /** Size of each (nginx size, 1k-1m): the request line and each header line must fit in one. */
  readonly size: string;
}

/** The header buffers when none are given (nginx's own default): 4 × 8k. */
export const DEFAULT_HEADER_BUFFERS: HeaderBuffers = { count: 4, size: '8k' };

/** Options of {@link renderNginx}. */
export interface NginxOptions extends GatewayPageOptions, ListenerOptions, ClientTimeoutOptions, TrustedGatewayOptions {
  /** Backend addresses (`host:port`), balanced round-robin. */
  readonly upstreams: readonly string[];
  /** Certificate and key paths: the public listeners are TLS 1.3 only with HTTP/2. Omit for plain HTTP/1.1 (behind another TLS terminator). */
  readonly tls?: { readonly certificate: string; readonly key: string };
  /** Path prefixes sent to the backends (default `['/']`); anything else is answered 404 by the gateway. */
  readonly routes?: readonly string[];
  /** Largest request body (nginx size, default `1m`); larger is answered 413. */
  readonly maxBodySize?: string;
  /** Seconds to wait for a backend to connect (default 5); past it, 504. */
  readonly connectTimeout?: number;
  /** Seconds to wait for a backend's answer (default 30); past it, 504. */
  readonly readTimeout?: number;
  /**
   * Buffers for the request line and headers (default {@link DEFAULT_HEADER_BUFFERS}, 4 × 8k): a
   * longer request line is answered 414, a longer header line or more headers than fit 431.
   */
  readonly headerBuffers?: HeaderBuffers;
  /** RFC 9562 versions of an incoming `X-Request-ID` that are kept (default `[4]`); any other id is replaced by a new v4. */
  readonly idVersions?: readonly UuidVersion[];
  /** Where the JSON access log goes (default `/var/log/nginx/faultline-access.log`). */
  readonly accessLog?: string;
  /** Directory the generated files are installed in (for `js_import` and includes; default `/etc/nginx/faultline`). */
  readonly directory?: string;
  /** nginx dynamic modules directory (default `/usr/lib/nginx/modules`). */
  readonly modulesDirectory?: string;
  /** gRPC services behind the gateway (see {@link GatewayGrpcOptions}). */
  readonly grpc?: GatewayGrpcOptions;
}

function checkHeaderBuffers(buffers: HeaderBuffers): void {
  if (typeof buffers !== 'object' || buffers === null) fail('header buffers', buffers);
  checkInteger('header buffer count', buffers.count, 1, 64);
  const bytes = typeof buffers.size === 'string' && SIZE.test(buffers.size) ? bytesOf(buffers.size) : Number.NaN;
  if (!(bytes >= 1024 && bytes <= 1024 ** 2)) fail('header buffer size', buffers.size, 'from 1k to 1m');
}

/** Backend statuses Faultline never sends (its largest is 504), answered 500 INTERNAL by the gateway. */
const NEVER_SENT: readonly number[] = Array.from({ length: 95 }, (_, i) => 505 + i);

/**
 * 4xx the njs filter answers from these pages: nginx's own in a proxied location (body too large,
 * malformed or too slow); from a backend, 431 when it is not Faultline's with the request's id,
 * and those a Faultline server answers on the raw socket (400, 408, 414, 431) when they carry
 * another id. A backend 4xx that is not JSON gets the page of its status's category instead (see
 * `foreign4xxTemplates`), unless `passForeign4xx`.
 */
const OWN_IN_LOCATION: readonly number[] = [400, 408, 413, 414, 431];

function proxied(route: string, options: NginxOptions, trusted: readonly string[]): string {
  return [
    `  location ${route} {`,
    ...NGINX_UPGRADE_LINES,
    '    proxy_pass http://faultline_backends;',
    '    proxy_http_version 1.1;',
    '    proxy_set_header Connection "";',
    '    proxy_set_header Host $faultline_upstream_host;',
    '    proxy_set_header X-Request-ID $faultline_request_id;',
    '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    `    proxy_set_header X-Forwarded-Proto ${nginxForwardedProto(trusted)};`,
    `    proxy_connect_timeout ${options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT}s;`,
    `    proxy_read_timeout ${options.readTimeout ?? DEFAULT_READ_TIMEOUT}s;`,
    // A failed attempt goes to the next server (nginx's default: a refused or cut connection, and a
    // timeout, for an idempotent method), but none starts once readTimeout has passed: otherwise
    // each silent server adds its readTimeout, and the 504 comes long after the documented bound.
    `    proxy_next_upstream_timeout ${options.readTimeout ?? DEFAULT_READ_TIMEOUT}s;`,
    // A status Faultline never sends (505-599) is answered by the gateway's 500 page here: nginx
    // writes the backend's own status line on HTTP/1.1, and the njs of Debian 12 (0.7) cannot
    // replace it. With its own error_page the location inherits none of the server's: its own
    // 400, 408, 413 and 5xx pages are replaced by the njs filter instead (before any upstream).
    '    proxy_intercept_errors on;',
    `    error_page ${NEVER_SENT.join(' ')} =500 @faultline_internal;`,
    '    proxy_hide_header X-Request-ID;',
    '    proxy_hide_header X-Powered-By;',
    // Via names the proxies behind the gateway and often their product and version.
    '    proxy_hide_header Via;',
    // A redirect to an internal host (the backend's own address): its path on the client's host.
    // (relative, as the backend's own relative redirects pass, and as HAProxy writes it).
    '    proxy_redirect default;',
    `    proxy_redirect ${quoted(`~*${INTERNAL_LOCATION}`)} /$1;`,
    // A cookie's Domain naming an internal host: emptied (the cookie is the request host's only).
    `    proxy_cookie_domain ${quoted(`~(?i)^${INTERNAL_COOKIE_DOMAIN}$`)} '';`,
    '    absolute_redirect off;',
    '    add_header x-request-id $faultline_request_id always;',
    '    add_header Content-Type $faultline_page_type always;',
    '    js_header_filter faultline.headers;',
    '    js_body_filter faultline.body buffer_type=buffer;',
    '  }',
  ].join('\n');
}

/** Throws when an HTTP route is, or is inside, a gRPC service's location (nginx would refuse it or route calls past it). */
function checkRoutesBesideServices(routes: readonly string[], services: readonly string[]): void {
  for (const route of routes)
    if (services.some((service) => route.startsWith(`/${service}/`) || route === `/${service}`))
      fail("route (a gRPC service's path)", route);
}

/**
 * The files to install (by name): modules, the http-context include, the server-context includes
 * (`faultline-errors.conf`: access log, limits and the gateway pages; `faultline-server.conf`:
 * those and the proxied routes; with `grpc`, `faultline-grpc.conf`: the gRPC services, included by
 * the latter), the njs filter, and a standalone `nginx.conf` with every listener.
 * Throws when an option value is not safe to write into nginx configuration.
 */
export function renderNginx(options: NginxOptions): Readonly<Record<string, string>> {
  const listeners = validateGatewayOptions(options);
  const trusted = trustedGatewaysOf(options);
  const buffers = options.headerBuffers ?? DEFAULT_HEADER_BUFFERS;
  checkHeaderBuffers(buffers);
  const grpc =
    options.grpc === undefined ? undefined : validateGrpcOptions(options.grpc, listeners, options.tls !== undefined);
  const routes = options.routes ?? ['/'];
  if (grpc !== undefined) checkRoutesBesideServices(routes, grpc.services);
  const dir = options.directory ?? '/etc/nginx/faultline';
  const modules = options.modulesDirectory ?? '/usr/lib/nginx/modules';
  const accessLog = options.accessLog ?? '/var/log/nginx/faultline-access.log';
  const pages = gatewayPages(options);
  const byFailure = new Map(pages.map((p) => [p.failure, p]));
  const filtered = Object.fromEntries(
    pages.filter((p) => p.status >= 500 || OWN_IN_LOCATION.includes(p.status)).map((p) => [p.status, p]),
  );
  const internal = byFailure.get('internal') as GatewayPage;
  const templates = foreign4xxTemplates(options);
  const answers = grpc === undefined ? undefined : grpcGatewayAnswers({ domain: grpc.domain });
  const grpcStatuses = answers && grpcBackendStatuses(answers, { domain: grpc?.domain }, NGINX_LOCATION_STATUSES);
  const grpcParts: NginxGrpcParts | undefined = grpc && {
    upstreams: grpc.upstreams,
    services: grpc.services,
    connectTimeout: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
    readTimeout: options.readTimeout ?? DEFAULT_READ_TIMEOUT,
    statuses: grpcStatuses ?? [],
  };
  const errors = `# Generated by faultline-edge: include inside server { } (faultline-server.conf does).
access_log ${accessLog} faultline_json;
client_max_body_size ${options.maxBodySize ?? '1m'};
large_client_header_buffers ${buffers.count} ${buffers.size};
# A request head not whole within headerTimeout is closed (nginx sends nothing and logs 408), as
# HAProxy's timeout http-request.
client_header_timeout ${options.headerTimeout ?? DEFAULT_HEADER_TIMEOUT}s;
# Read what the client still sends after an early answer (414, 431, 413), so it gets the answer and not a reset.
lingering_close always;
proxy_intercept_errors off;
${errorPages(byFailure, answers && ANSWER_KIND).join('\n')}

${pages.map(pageLocations).join('\n\n')}
${answers === undefined ? '' : `\n# nginx's own errors on a gRPC call, as gRPC statuses.\n${grpcAnswerLocations(answers, grpcStatuses)}\n`}`;
  const server = `# Generated by faultline-edge: include inside server { }.
include ${dir}/faultline-errors.conf;
${grpc === undefined ? '' : `include ${dir}/faultline-grpc.conf;\n`}
${routes.map((route) => proxied(route, options, trusted)).join('\n\n')}

${nginxUpgradeLocation(proxied(routes[0] as string, options, trusted), options)}
${routes.includes('/') ? '' : '\n  location / {\n    return 404;\n  }\n'}`;
  const tls = options.tls === undefined ? undefined : { certificate: options.tls.certificate, key: options.tls.key };
  return {
    'faultline-modules.conf': `# Generated by faultline-edge: include at the top level of nginx.conf (Debian loads these from modules-enabled).\nload_module ${modules}/ngx_http_js_module.so;\nload_module ${modules}/ngx_http_headers_more_filter_module.so;\n`,
    'faultline-http.conf': httpConf(options, dir, trusted, grpcParts && grpcHttpConf(grpcParts)),
    'faultline-errors.conf': errors,
    'faultline-server.conf': server,
    ...(grpcParts === undefined ? {} : { 'faultline-grpc.conf': grpcServerConf(grpcParts) }),
    'faultline.js': nginxFilterScript(
      filtered,
      internal,
      faultlineContentTypes(options),
      idPattern(options.idVersions),
      options.passForeign4xx === true ? undefined : templates,
      templates,
      answers && {
        grpcDetails: njsGrpcDetails([
          ...Object.values(answers),
          ...(grpcStatuses ?? []).map((s) => s.answer).filter((a) => !Object.hasOwn(answers, a.failure)),
        ]),
      },
      trusted.length === 0 ? undefined : TRUSTED_ID_PATTERN,
    ),
    'nginx.conf': renderStandalone({
      dir,
      listeners,
      tls,
      accessLog,
      grpcListen: grpc?.listen ?? [],
      shutdownTimeout: options.readTimeout ?? DEFAULT_READ_TIMEOUT,
    }),
  };
}
