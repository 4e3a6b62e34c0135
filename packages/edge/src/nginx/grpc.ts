/**
 * The nginx side of gRPC: a location per service passing gRPC calls (HTTP/2, `application/grpc`)
 * to the gRPC backends with the request's id, and the gateway's own errors on a gRPC call answered
 * as the gRPC status `@faultline/grpc` sends for the same category (trailers-only: one HEADERS
 * frame, HTTP 200, ending the stream). A request that is not a gRPC call gets the HTTP pages as
 * anywhere else. Nothing runs on a call the backend answers: its headers, messages and trailers
 * pass as they came (less the leaky headers).
 */
import { LEAKY_RESPONSE_HEADERS } from '../backend-headers.js';
import type { GrpcGatewayAnswer } from '../grpc/answers.js';
import type { GrpcBackendStatuses } from '../grpc/backend-statuses.js';
import { GATEWAY_FAILURES, type GatewayFailure } from '../pages.js';
import { GRPC_DETAILS_EXPORT } from './grpc-script.js';
import { NGINX_STATUSES, quoted } from './pages.js';

/**
 * nginx's own statuses in a gRPC location, whose failure the answer is (`NGINX_STATUSES` below
 * 505: nginx raises its 505 before any location, a 505 or 507 here comes from a backend).
 */
export const NGINX_LOCATION_STATUSES: Readonly<Record<number, GatewayFailure>> = Object.fromEntries(
  Object.entries(NGINX_STATUSES).filter(([status]) => Number(status) < 505),
);

/** What the gRPC parts of the configuration need. */
export interface NginxGrpcParts {
  /** The gRPC backends (`host:port`, checked). */
  readonly upstreams: readonly string[];
  /** The fully-qualified services routed (checked). */
  readonly services: readonly string[];
  /** Seconds to wait for a backend to connect. */
  readonly connectTimeout: number;
  /** Seconds to wait between two reads (or writes) of a call. */
  readonly readTimeout: number;
  /**
   * Every status from 300 to 599 (nginx's own in a gRPC location and a backend's in place of gRPC)
   * and its answer (`grpcBackendStatuses` with nginx's statuses as its own).
   */
  readonly statuses: readonly GrpcBackendStatuses[];
}

/**
 * The nginx variable naming the kind of answer an error gets: `grpc_` on a gRPC call, else empty.
 * Error pages go to `@faultline_${…}<failure>`: the gRPC answer or the HTTP page.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: nginx's braced variable syntax, written as is
export const ANSWER_KIND = '${faultline_answer_kind}';

/** The http-context part: the call's kind, unrouted calls, the details variable, the backends. */
export function grpcHttpConf(parts: NginxGrpcParts): string {
  const services = parts.services.map((s) => s.replace(/\./g, '\\.')).join('|');
  return `
# gRPC: a call is an HTTP/2 POST whose Content-Type is application/grpc (or +proto, ;params).
map "$request_method|$server_protocol|$http_content_type" $faultline_grpc_call {
  "~^POST\\|HTTP/2\\.0\\|(?i)application/grpc([+;]|$)" 1;
  default "";
}
# The kind of answer nginx's own errors get: the gRPC status on a gRPC call, else the HTTP page.
map $faultline_grpc_call $faultline_answer_kind {
  1 grpc_;
  default "";
}
# A gRPC call to a service that is not routed (answered UNIMPLEMENTED by the gateway), or whose
# path as sent is not the path nginx resolved (dot-segments, percent-encoding): grpc_pass sends the
# path as sent, which could name a method of another service than the location's. The method is
# an identifier, as HAProxy checks it (not a trailing slash, not a further segment).
map "$faultline_grpc_call:$uri|$request_uri" $faultline_grpc_unrouted {
  "~^1:(/(?:${services})/[A-Za-z_][A-Za-z0-9_]*)\\|\\1$" "";
  "~^1:/\\.faultline/" "";
  "~^1:" 1;
  default "";
}
# The id the gateway adds to an answer a backend made: none when the backend sent the request's own
# (a Faultline status passes as it came, trailers-only or not), else the request's.
map "$upstream_http_x_request_id|$faultline_request_id" $faultline_grpc_added_id {
  "~^([0-9a-f-]{36})\\|\\1$" "";
  default $faultline_request_id;
}
# grpc-status-details-bin of the gateway's own gRPC status (njs, evaluated only there).
js_set $faultline_grpc_details faultline.${GRPC_DETAILS_EXPORT};

upstream faultline_grpc_backends {
${parts.upstreams.map((u) => `  server ${u} max_fails=1 fail_timeout=2s;`).join('\n')}
  keepalive 32;
}
`;
}

/** The directives of one gRPC answer, shared by its named and its internal-URI location. */
function answerBody(answer: GrpcGatewayAnswer): string[] {
  if (!/^[\x21-\x7e]+$/.test(answer.grpcMessage) || /[$'\\]/.test(answer.grpcMessage))
    throw new Error(`faultline-edge: the ${answer.failure} grpc-message cannot be written`);
  return [
    `    set $faultline_grpc_failure ${answer.failure};`,
    '    default_type application/grpc;',
    `    add_header grpc-status ${answer.code} always;`,
    `    add_header grpc-message ${quoted(answer.grpcMessage)} always;`,
    // The id first: the details read it, already evaluated.
    '    add_header x-request-id $faultline_request_id always;',
    '    add_header grpc-status-details-bin $faultline_grpc_details always;',
    // An empty 200 ends the stream with its HEADERS frame: a trailers-only gRPC answer.
    "    return 200 '';",
  ];
}

/** Whether `answer` is a gateway failure's (it then has an HTTP page too), not a backend status's category's. */
function isFailure(answer: GrpcGatewayAnswer): answer is GrpcGatewayAnswer & { failure: GatewayFailure } {
  return Object.hasOwn(GATEWAY_FAILURES, answer.failure);
}

/**
 * The named and internal-URI locations answering every failure as a gRPC status (server context),
 * and a named location for each answer of `more` that is no failure's (a backend's 401, 403, …).
 */
export function grpcAnswerLocations(
  answers: Readonly<Record<GatewayFailure, GrpcGatewayAnswer>>,
  more: readonly GrpcBackendStatuses[] = [],
): string {
  const own = Object.values(answers).map((answer) => {
    const body = answerBody(answer).join('\n');
    return `  location @faultline_grpc_${answer.failure} {\n${body}\n  }\n  location = /.faultline/grpc_${answer.failure} {\n    internal;\n${body}\n  }`;
  });
  const backend = more
    .filter(({ answer }) => !isFailure(answer))
    .map(({ answer }) => `  location @faultline_grpc_${answer.failure} {\n${answerBody(answer).join('\n')}\n  }`);
  return [...own, ...backend].join('\n\n');
}

/**
 * The `error_page` lines of a gRPC location: every status nginx raises there and every status
 * from 300 to 599 a backend that is not a gRPC server may send (a proxy's page, a redirect), to
 * the gRPC answer on a gRPC call, else (a failure's) the HTTP page. A backend's status whose
 * category no failure answers (401, 403, …) reaches the backend only on a gRPC call: its gRPC answer.
 */
function locationErrorPages(statuses: readonly GrpcBackendStatuses[]): string[] {
  return statuses.flatMap(({ statuses: all, answer }) => {
    // nginx refuses 499 in error_page (its own code for a client that closed).
    const list = all.filter((status) => status !== 499);
    if (list.length === 0) return [];
    const target = isFailure(answer)
      ? `@faultline_${ANSWER_KIND}${answer.failure}`
      : `@faultline_grpc_${answer.failure}`;
    return [`    error_page ${list.join(' ')} = ${target};`];
  });
}

/** One service's location. */
function serviceLocation(service: string, parts: NginxGrpcParts): string {
  return [
    // The service's name without the slash: nginx would redirect it to the location (its own 301
    // page, naming nginx, with a Location); a gRPC call there is answered UNIMPLEMENTED above.
    `  location = /${service} {`,
    '    return 404;',
    '  }',
    `  location /${service}/ {`,
    '    # Only gRPC calls: another request gets the HTTP page of a path that is not routed.',
    '    if ($faultline_grpc_call = "") {',
    '      return 404;',
    '    }',
    '    grpc_pass grpc://faultline_grpc_backends;',
    '    grpc_set_header X-Request-ID $faultline_request_id;',
    '    grpc_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    `    grpc_connect_timeout ${parts.connectTimeout}s;`,
    // Between two reads or writes; the client's grpc-timeout passes to the backend as it came.
    `    grpc_read_timeout ${parts.readTimeout}s;`,
    `    grpc_send_timeout ${parts.readTimeout}s;`,
    // A backend answer with an HTTP status from 300 (not a gRPC server: a proxy's page, a redirect) is answered by the gateway.
    '    grpc_intercept_errors on;',
    ...locationErrorPages(parts.statuses),
    // nginx applies these to the trailers too (measured on 1.22): the backend's own x-request-id
    // is not hidden, so a Faultline status keeps its trailer; Server is hidden by default.
    ...['X-Powered-By', 'Via', ...LEAKY_RESPONSE_HEADERS].map((name) => `    grpc_hide_header ${name};`),
    '    add_header x-request-id $faultline_grpc_added_id always;',
    '  }',
  ].join('\n');
}

/**
 * `faultline-grpc.conf` (server context): a gRPC call to another service answered UNIMPLEMENTED
 * (501 here, the gateway's `not_implemented`), then a location per service.
 */
export function grpcServerConf(parts: NginxGrpcParts): string {
  return `# Generated by faultline-edge: include inside server { } (faultline-server.conf does).
# A gRPC call to a service the gateway does not route: UNIMPLEMENTED, with the request's id.
if ($faultline_grpc_unrouted) {
  return 501;
}

${parts.services.map((service) => serviceLocation(service, parts)).join('\n\n')}
`;
}
