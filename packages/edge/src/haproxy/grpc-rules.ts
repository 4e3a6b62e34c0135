/**
 * gRPC through the generated HAProxy: a gRPC request (POST over HTTP/2 with a gRPC content type)
 * on the public TLS listeners or on `grpc.listen` (h2c) goes, by service, to `server … proto h2`
 * backends with the gateway's `x-request-id`; the backends' answers (headers, messages, trailers)
 * pass as they came, the frontend's response rules (the id returned, the headers naming the
 * backend removed) applied to their headers. Every answer HAProxy makes itself on such a request
 * (an unknown service, over a limit, no server up or the connection refused, a timeout) is a
 * trailers-only gRPC status (HTTP 200, `application/grpc`, `grpc-status`, `grpc-message`,
 * `x-request-id`, `grpc-status-details-bin`) built by sample converters (`grpc-details.ts`), in
 * the gRPC backend: the public frontend's HTTP rules cost an HTTP request two rules more (the
 * mark and its `allow`, both false at their first test) and a `use_backend`; no Lua anywhere.
 */

import type { GrpcGatewayAnswer } from '../grpc/answers.js';
import { grpcBackendStatuses } from '../grpc/backend-statuses.js';
import type { GrpcSettings } from '../grpc/options.js';
import type { GatewayFailure } from '../pages.js';
import type { UuidVersion } from '../request-id.js';
import { DetailsBytes, detailsFormat } from './grpc-details.js';
import type { HaproxyLimits } from './limits.js';
import { intList } from './reasons.js';
import { ID } from './replies.js';
import { forwardingRules, hostRules, idRules, TRAFFIC_LOG } from './request-rules.js';
import { frontendResponseRules } from './responses.js';

/** The variable set on a gRPC request. */
const GRPC = '{ var(txn.grpc) -m bool }';

/** The gRPC content types (`application/grpc`, `+proto`, `+json`, parameters): not gRPC-Web. */
const GRPC_TYPE = `'^application/grpc([+;]|$)'`;

/** What the gRPC rules need from the rest of the configuration. */
export interface GrpcContext {
  readonly settings: GrpcSettings;
  readonly answers: Readonly<Record<GatewayFailure, GrpcGatewayAnswer>>;
  readonly limits: HaproxyLimits;
  readonly maxBodyBytes: number;
  readonly idVersions: readonly UuidVersion[] | undefined;
  /** The gateways in front of this one (checked `trustedGateways`). */
  readonly trustedGateways: readonly string[];
  /** The HAProxy-generated statuses and the failure each is (`HAPROXY_STATUSES`). */
  readonly statuses: Readonly<Record<number, GatewayFailure>>;
  /** The arguments of the HTTP page a non-gRPC request on a gRPC listener gets (404). */
  readonly notFoundPage: string;
  /** Whether the public listeners take gRPC too (a certificate is given: they speak HTTP/2). */
  readonly public: boolean;
}

/** The parts of the configuration the gRPC option adds. */
export interface GrpcConfig {
  /** The `global` lines setting the details' constant bytes. */
  readonly globalLines: readonly string[];
  /** The public frontend's request rules, before the HTTP ones: a gRPC request leaves them (none without `tls`). */
  readonly requestRules: readonly string[];
  /** The public frontend's `use_backend` line (empty without `tls`). */
  readonly useBackend: string;
  /** The h2c frontend (`grpc.listen`) and the gRPC backend. */
  readonly sections: string;
}

/** HAProxy's own statuses answered in gRPC's shape besides `statuses`: a 413 from an operator's rule. */
const MORE_STATUSES: Readonly<Record<number, GatewayFailure>> = { 413: 'payload_too_large' };

/** The arguments of a trailers-only gRPC answer of `answer` with the HTTP `status`. */
function reply(answer: GrpcGatewayAnswer, status: number, bytes: DetailsBytes): string {
  // Percent-encoded (printable ASCII), but a quote or backslash would end or escape the argument.
  if (!/^[\x21-\x7e]+$/.test(answer.grpcMessage) || /["'\\]/.test(answer.grpcMessage))
    throw new Error(`faultline-edge: the ${answer.failure} grpc-message cannot be written`);
  const headers: [string, string][] = [
    ['grpc-status', String(answer.code)],
    ['grpc-message', answer.grpcMessage.replaceAll('%', '%%')],
    ['x-request-id', ID],
    ['grpc-status-details-bin', detailsFormat(answer.details, bytes)],
  ];
  return `status ${status} ${headers.map(([name, value]) => `hdr ${name} "${value}"`).join(' ')}`;
}

/** `^/(<services>)/<method>$`: the paths routed to the gRPC backends. */
function servicePath(services: readonly string[]): string {
  return `'^/(${services.map((s) => s.replaceAll('.', '[.]')).join('|')})/[A-Za-z_][A-Za-z0-9_]*$'`;
}

/** The frontend's rules marking a gRPC request, which then leaves the frontend's request rules. */
const MARK_RULES: readonly string[] = [
  '  # gRPC: a POST over HTTP/2 in a gRPC content type, for the gRPC backend (its own rules).',
  `  http-request set-var(txn.grpc) bool(1) if METH_POST { req.ver 2.0 } { req.fhdr(content-type) -m reg -i ${GRPC_TYPE} }`,
  `  http-request allow if ${GRPC}`,
];

/** The gRPC backend's request rules: the requests the gateway refuses, answered trailers-only. */
function refusalRules(context: GrpcContext, bytes: DetailsBytes): string[] {
  const own = (failure: GatewayFailure) => reply(context.answers[failure], 200, bytes);
  return [
    hostRules(own('malformed')),
    `  http-request return ${own('uri_too_long')} if { url,length gt ${context.limits.maxUrlBytes} }`,
    `  http-request return ${own('header_fields_too_large')} if { req.hdrs,length gt ${context.limits.maxHeaderBytes} }`,
    `  http-request return ${own('payload_too_large')} if { req.hdr_val(content-length) gt ${context.maxBodyBytes} }`,
    // pathq: a query string is no part of a gRPC path (the method would not be the one routed).
    `  http-request return ${own('not_implemented')} unless { pathq -m reg ${servicePath(context.settings.services)} }`,
  ];
}

/** The h2c frontend of `grpc.listen`: gRPC only, anything else the HTTP 404 page. */
function h2cFrontend(context: GrpcContext): string {
  if (context.settings.listen.length === 0) return '';
  return `
frontend faultline_grpc
${context.settings.listen.map((address) => `  bind ${address} proto h2`).join('\n')}
${TRAFFIC_LOG}
${idRules(context.idVersions, context.trustedGateways)}
${forwardingRules(context.trustedGateways)}
${MARK_RULES.join('\n')}
  http-request return ${context.notFoundPage}
  default_backend faultline_grpc
${frontendResponseRules(false).join('\n')}
`;
}

/**
 * The backend's response rules: a server's answer in place of gRPC (any status but 200: a proxy's
 * or a framework's page, a redirect) replaced by the gateway's status of its category
 * (`grpc/backend-statuses.ts`), its body and headers dropped; a gRPC answer (200) leaves them at
 * the first rule.
 */
function replacedRules(context: GrpcContext, bytes: DetailsBytes): string[] {
  const groups = grpcBackendStatuses(context.answers, { domain: context.settings.domain });
  return [
    "  # A gRPC answer is HTTP 200: it passes. Any other status is no gRPC server's answer.",
    '  http-response allow if { status 200 }',
    '  http-response set-var(txn.grpc_replaced) bool(1)',
    // The public frontend's last rules give a 2xx or 3xx the status it came with (for its phrase):
    // not to a gRPC status. Its upstream_status is then logged empty.
    '  http-response unset-var(txn.upstream_status) if { status 101:399 }',
    ...groups
      .filter(({ answer }) => answer.failure !== 'internal')
      .map(
        ({ statuses, answer }) =>
          `  http-response return ${reply(answer, 200, bytes)} if { status ${intList(statuses)} }`,
      ),
    `  http-response return ${reply(context.answers.internal, 200, bytes)}`,
  ];
}

/**
 * The gRPC backend: the requests the gateway refuses and HAProxy's own errors (`http-error`, with
 * their HTTP status) answered as trailers-only statuses, made 200 `application/grpc` by the last
 * rules (HAProxy 2.6 drops the content type of an answer without a body); an answer of a server
 * passes (its status kept for the log).
 */
function backend(context: GrpcContext, bytes: DetailsBytes): string {
  const statuses = { ...context.statuses, ...MORE_STATUSES };
  return `
backend faultline_grpc
  balance roundrobin
  # HAProxy's own answers (no server up, connection refused, timeout): trailers-only gRPC.
${Object.entries(statuses)
  .map(([status, failure]) => `  http-error ${reply(context.answers[failure], Number(status), bytes)}`)
  .join('\n')}
${refusalRules(context, bytes).join('\n')}
  http-response set-var(txn.upstream_status) status
${replacedRules(context, bytes).join('\n')}
  # The status of a trailers-only answer, for the log line (a status in trailers: no rule sees it).
  http-after-response set-var(txn.grpc_status) res.fhdr(grpc-status)
  # An answer no server made (the rules above): HTTP 200 and the gRPC content type.
  http-after-response set-status 200 if !{ var(txn.upstream_status) -m found } || { var(txn.grpc_replaced) -m bool }
  http-after-response set-header content-type application/grpc if !{ var(txn.upstream_status) -m found } || { var(txn.grpc_replaced) -m bool }
${context.settings.upstreams.map((u, i) => `  server g${i + 1} ${u} proto h2 check inter 2s fall 1 rise 1`).join('\n')}
`;
}

/** The configuration the `grpc` option adds (see {@link GrpcConfig}). */
export function grpcConfig(context: GrpcContext): GrpcConfig {
  const bytes = new DetailsBytes();
  const sections = `${h2cFrontend(context)}${backend(context, bytes)}`;
  return {
    globalLines: bytes.globalLines(),
    requestRules: context.public ? MARK_RULES : [],
    useBackend: context.public ? `  use_backend faultline_grpc if ${GRPC}` : '',
    sections,
  };
}
