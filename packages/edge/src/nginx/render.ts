/**
 * nginx configuration generated from the taxonomy: every error nginx produces itself answered in
 * the application's shape, foreign backend 5xx replaced (njs filter), one UUID request id from the
 * edge to the backend and back (validated or generated), a JSON access log keyed by it, no product
 * name or version anywhere, TLS 1.3 only with HTTP/2 over ALPN.
 */
import { CONTENT_TYPES, UUID_PATTERN } from '@faultline/core';
import { type GatewayFailure, type GatewayPage, type GatewayPageOptions, gatewayPages } from '../pages.js';
import { validateGatewayOptions } from '../validate.js';
import { nginxFilterScript } from './filter-script.js';

/** Options of {@link renderNginx}. */
export interface NginxOptions extends GatewayPageOptions {
  /** Backend addresses (`host:port`), balanced round-robin. */
  readonly upstreams: readonly string[];
  /** Public listener (default `127.0.0.1:8443`). */
  readonly listen?: string;
  /** Certificate and key paths: the listener is TLS 1.3 only with HTTP/2. Omit for plain HTTP/1.1 (behind another TLS terminator). */
  readonly tls?: { readonly certificate: string; readonly key: string };
  /** Path prefixes sent to the backends (default `['/']`); anything else is answered 404 by the gateway. */
  readonly routes?: readonly string[];
  /** Largest request body (nginx size, default `1m`); larger is answered 413. */
  readonly maxBodySize?: string;
  /** Seconds to wait for a backend to connect / answer (defaults 5 / 30); past it, 504. */
  readonly connectTimeout?: number;
  readonly readTimeout?: number;
  /** Where the JSON access log goes (default `/var/log/nginx/faultline-access.log`). */
  readonly accessLog?: string;
  /** Directory the generated files are installed in (for `js_import` and includes; default `/etc/nginx/faultline`). */
  readonly directory?: string;
  /** nginx dynamic modules directory (default `/usr/lib/nginx/modules`). */
  readonly modulesDirectory?: string;
}

/** The nginx statuses (including its internal 494-497) mapped to the gateway failure answering them. */
export const NGINX_STATUSES: Readonly<Record<number, GatewayFailure>> = {
  400: 'malformed',
  404: 'not_found',
  408: 'request_timeout',
  413: 'payload_too_large',
  414: 'uri_too_long',
  429: 'rate_limited',
  494: 'header_fields_too_large',
  495: 'malformed',
  496: 'malformed',
  497: 'malformed',
  500: 'internal',
  501: 'not_implemented',
  502: 'bad_gateway',
  503: 'unavailable',
  504: 'timeout',
};

/** A string nginx reads literally inside single quotes (`$` stays a variable marker, used on purpose). */
function quoted(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * nginx statuses raised before the request URI is parsed (bad request line, URI or headers too
 * large, TLS-level refusals): a named location cannot be reached from them ("empty URI in
 * redirect to named location" and a default 500 page), so they redirect to an internal URI.
 */
const BEFORE_URI: ReadonlySet<number> = new Set([400, 414, 494, 495, 496, 497]);

/** The directives answering one page, shared by its named and its internal-URI location. */
function pageBody(page: GatewayPage): string[] {
  const { head, tail } = page;
  if (/\$/.test(`${head}${tail}`)) throw new Error('faultline-edge: a page body contains "$"');
  const headers = Object.entries(page.headers)
    .filter(([name]) => name !== 'content-type')
    .map(([name, value]) => `    add_header ${name} ${quoted(value)} always;`);
  return [
    `    default_type ${quoted(page.headers['content-type'] ?? 'application/problem+json')};`,
    ...headers,
    '    add_header x-request-id $faultline_request_id always;',
    `    return ${page.status} ${quoted(`${head}$faultline_request_id${tail}`)};`,
  ];
}

/** A named location (keeps the request's method and URI for the access log) and an internal URI one. */
function pageLocations(page: GatewayPage): string {
  const body = pageBody(page).join('\n');
  return `  location @faultline_${page.failure} {\n${body}\n  }\n  location = /.faultline/${page.failure} {\n    internal;\n${body}\n  }`;
}

/**
 * The files to install (by name): modules, http-context and server-context includes, the njs filter, and a standalone `nginx.conf`.
 * Throws when an option value is not safe to write into nginx configuration.
 */
export function renderNginx(options: NginxOptions): Readonly<Record<string, string>> {
  validateGatewayOptions(options);
  const dir = options.directory ?? '/etc/nginx/faultline';
  const modules = options.modulesDirectory ?? '/usr/lib/nginx/modules';
  const pages = gatewayPages(options);
  const byFailure = new Map(pages.map((p) => [p.failure, p]));
  const fiveHundreds = Object.fromEntries(pages.filter((p) => p.status >= 500).map((p) => [p.status, p]));
  const internal = byFailure.get('internal') as GatewayPage;
  const routes = options.routes ?? ['/'];
  const errorPages = Object.entries(NGINX_STATUSES).map(([status, failure]) => {
    const page = byFailure.get(failure) as GatewayPage;
    const rewrite = Number(status) === page.status ? '' : `=${page.status} `;
    const target = BEFORE_URI.has(Number(status)) ? `/.faultline/${failure}` : `@faultline_${failure}`;
    return `  error_page ${status} ${rewrite}${target};`;
  });
  const proxied = (route: string) =>
    [
      `  location ${route} {`,
      '    proxy_pass http://faultline_backends;',
      '    proxy_http_version 1.1;',
      '    proxy_set_header Connection "";',
      '    proxy_set_header Host $host;',
      '    proxy_set_header X-Request-ID $faultline_request_id;',
      '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      '    proxy_set_header X-Forwarded-Proto $scheme;',
      `    proxy_connect_timeout ${options.connectTimeout ?? 5}s;`,
      `    proxy_read_timeout ${options.readTimeout ?? 30}s;`,
      '    proxy_hide_header X-Request-ID;',
      '    proxy_hide_header X-Powered-By;',
      '    add_header x-request-id $faultline_request_id always;',
      '    js_header_filter faultline.headers;',
      '    js_body_filter faultline.body;',
      '  }',
    ].join('\n');
  const http = `# Generated by faultline-edge: include inside http { }.
server_tokens off;
more_clear_headers Server;
js_import faultline from ${dir}/faultline.js;
js_var $faultline_replaced '';
js_set $faultline_incoming_id faultline.incomingId;

# The request id: the incoming X-Request-ID when exactly one was sent and it is a lowercase UUID,
# else a UUID v4 made from nginx's 128 random bits ($request_id) with the version and variant
# nibbles set.
map $request_id $faultline_variant {
  "~^.{16}[0-3]" 8;
  "~^.{16}[4-7]" 9;
  "~^.{16}[89ab]" a;
  default b;
}
map $request_id $faultline_generated_id {
  "~^(?<fl_a>.{8})(?<fl_b>.{4}).(?<fl_c>.{3}).(?<fl_d>.{3})(?<fl_e>.{12})$" "$fl_a-$fl_b-4$fl_c-$faultline_variant$fl_d-$fl_e";
}
map $faultline_incoming_id $faultline_request_id {
  "~${UUID_PATTERN}" $faultline_incoming_id;
  default $faultline_generated_id;
}

log_format faultline_json escape=json '{"time":"$time_iso8601","request_id":"$faultline_request_id","remote_addr":"$remote_addr","method":"$request_method","uri":"$uri","protocol":"$server_protocol","status":$status,"upstream_status":"$upstream_status","request_time":$request_time,"upstream_response_time":"$upstream_response_time","bytes_sent":$bytes_sent}';

upstream faultline_backends {
${options.upstreams.map((u) => `  server ${u} max_fails=1 fail_timeout=2s;`).join('\n')}
  keepalive 32;
}
`;
  const server = `# Generated by faultline-edge: include inside server { }.
access_log ${options.accessLog ?? '/var/log/nginx/faultline-access.log'} faultline_json;
client_max_body_size ${options.maxBodySize ?? '1m'};
large_client_header_buffers 4 8k;
proxy_intercept_errors off;
${errorPages.join('\n')}

${pages.map(pageLocations).join('\n\n')}

${routes.map(proxied).join('\n\n')}
${routes.includes('/') ? '' : '\n  location / {\n    return 404;\n  }\n'}`;
  const listen = options.listen ?? '127.0.0.1:8443';
  const standalone = `# Generated by faultline-edge: a complete gateway (nginx -c ${dir}/nginx.conf).
include ${dir}/faultline-modules.conf;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events {
  worker_connections 1024;
}
http {
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  include ${dir}/faultline-http.conf;
  server {
${
  options.tls === undefined
    ? `    listen ${listen};`
    : `    listen ${listen} ssl http2;
    ssl_certificate ${options.tls.certificate};
    ssl_certificate_key ${options.tls.key};
    ssl_protocols TLSv1.3;
    ssl_prefer_server_ciphers off;`
}
    include ${dir}/faultline-server.conf;
  }
}
`;
  return {
    'faultline-modules.conf': `# Generated by faultline-edge: include at the top level of nginx.conf (Debian loads these from modules-enabled).\nload_module ${modules}/ngx_http_js_module.so;\nload_module ${modules}/ngx_http_headers_more_filter_module.so;\n`,
    'faultline-http.conf': http,
    'faultline-server.conf': server,
    'faultline.js': nginxFilterScript(fiveHundreds, internal, CONTENT_TYPES[options.format ?? 'problem']),
    'nginx.conf': standalone,
  };
}
