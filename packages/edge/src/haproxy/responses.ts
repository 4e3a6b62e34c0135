/**
 * The `http-response` rules, laid out so an answer that needs nothing replaced runs few of them.
 * HAProxy 2.6 runs the backend's rules, then the frontend's: `http-response allow` ends the
 * current section's rules (the next section's still run), `return` ends both. So the backend holds
 * the rules answering with a page (status under 100, a backend 4xx or 5xx that is not the
 * application's, see `replies.ts`), skipped by `allow` for an answer from 100 to 399 and for the
 * application's own error answer (this request's id, its type as the one Content-Type), a `101`
 * only when it grants the client's WebSocket handshake (see `upgrade.ts`); the
 * frontend holds the rules of every answer that passes, and skips by `allow` those that would
 * change nothing: without a header they remove or rewrite and without a foreign error. The
 * frontend's `http-after-response` rules (run last, on every answer) give a 101, 2xx or 3xx other
 * than 200 its standard reason phrase (see `reasons.ts`), and any other answer leaves them at once.
 * Measured with `bench:edge-instructions` (callgrind, HAProxy 2.6): a rule whose condition is false
 * costs about 200 instructions (400 when it reads the status); the 178 rules all run on every
 * answer cost 97,000 instructions a request, twice a bare proxy's whole request (48,000); laid out
 * so, they cost about 8,000 on the application's error answer and on a 200.
 */
import { isJsonMediaType, LEAKY_RESPONSE_HEADERS, LEAKY_RESPONSE_PREFIXES } from '../backend-headers.js';
import type { GatewayFailure, GatewayPage, GatewayPageOptions } from '../pages.js';
import { CHALLENGE_RULES, LOCATION_RULES } from './passing.js';
import { ERROR_ANSWER_RULE, REWRITE, rewrittenReasonRules, STATUS_200_RULE, successReasonRules } from './reasons.js';
import { answer, clientRules, KEPT_RULES, pattern, withKept } from './replies.js';
import { upgradeResponseRules } from './upgrade.js';

/** The 5xx statuses whose own page (HAProxy's, `HAPROXY_STATUSES`) replaces a backend's foreign one. */
const REPLACED_5XX: readonly number[] = [501, 502, 503, 504];

/**
 * The backend's `http-response` rules: the upstream status kept for the log, then the pages
 * replacing an answer. `contentTypes` are the application's error types (quoted), `statuses` the
 * page of each HAProxy-generated status.
 */
export function backendResponseRules(
  options: GatewayPageOptions,
  pages: ReadonlyMap<GatewayFailure, GatewayPage>,
  contentTypes: readonly string[],
  statuses: Readonly<Record<number, GatewayFailure>>,
): string[] {
  const page = (failure: GatewayFailure) => answer(pages.get(failure) as GatewayPage);
  const raw = (['malformed', 'request_timeout', 'uri_too_long'] as const).map((failure) => {
    const answered = pages.get(failure) as GatewayPage;
    return `  http-response return ${page(failure)} if { status ${answered.status} } faultline_type !faultline_id`;
  });
  const replaced = REPLACED_5XX.flatMap((status) => {
    const answered = pages.get(statuses[status] as GatewayFailure) as GatewayPage;
    return [...withKept(answered, status, '!faultline_type'), ...withKept(answered, status, '!faultline_id')];
  });
  // Only a JSON type can skip: a 4xx whose Content-Type is not JSON is replaced (`clientRules`).
  const ownTypes = contentTypes.filter((type) => isJsonMediaType(type.slice(1, -1)));
  return [
    '  http-response set-var(txn.upstream_status) status',
    '  # An answer from 102 to 399 is never replaced: the rest of these rules are skipped.',
    '  http-response allow if { var(txn.upstream_status) -m int 102:399 }',
    ...upgradeResponseRules(page('bad_gateway')),
    '  # A status under 100 (000-099), which HAProxy 2.6 relays as a final answer with its body.',
    `  http-response return ${page('internal')} if { status lt 100 }`,
    ERROR_ANSWER_RULE,
    "  # The application's own error answer (this request's id, its type as the one Content-Type) is",
    '  # not replaced either: no rule below answers it.',
    ...(ownTypes.length === 0
      ? []
      : [
          `  http-response allow if !{ var(${REWRITE}) -m found } { res.fhdr_cnt(content-type) eq 1 } { res.fhdr(content-type) -m str ${ownTypes.join(' ')} }`,
        ]),
    ...KEPT_RULES,
    '  # A Faultline server answers a request its parser refused (400, 408, 414, 431) on the raw socket,',
    '  # with an id of its own; a foreign 431 is a parser over its header limit (as with nginx).',
    ...raw,
    `  http-response return ${page('header_fields_too_large')} if { status 431 } !faultline_type`,
    `  http-response return ${page('header_fields_too_large')} if { status 431 } !faultline_id`,
    ...clientRules(options),
    ...replaced,
    `  http-response return ${page('internal')} if { status ge 500 } !faultline_type`,
    `  http-response return ${page('internal')} if { status ge 500 } !faultline_id`,
  ];
}

/** The headers only some answers carry that the frontend's rules remove or rewrite. */
const REWRITTEN = [
  'server',
  'x-powered-by',
  'via',
  ...LEAKY_RESPONSE_HEADERS,
  ...LEAKY_RESPONSE_PREFIXES.map((prefix) => `${prefix}[^,]*`),
  'location',
  'content-location',
  'refresh',
  'link',
  'www-authenticate',
  'set-cookie',
];

/**
 * The frontend's `http-response` rules, run on every answer the backend's rules did not replace:
 * the request id and the 200's phrase; then, only for an answer carrying one of the headers
 * {@link REWRITTEN} (one regular expression over `res.hdr_names`, the names HAProxy keeps in lower
 * case) or a foreign error, the headers naming the backend removed, URLs on internal hosts made
 * paths, the challenge cut and a foreign 4xx's standard reason phrase. Then its
 * `http-after-response` rules: the phrase of every other status under 400. Without
 * `reasonPhrases` (a frontend that speaks HTTP/2 only, where a status has no phrase), none of the
 * phrase rules.
 */
export function frontendResponseRules(reasonPhrases = true): string[] {
  const names = `(^|,)(${REWRITTEN.join('|').replaceAll('.', '[.]')})(,|$)`;
  return [
    '  http-response set-header x-request-id %[var(txn.request_id)]',
    ...(reasonPhrases ? [STATUS_200_RULE] : []),
    "  # An answer under 400 or the application's own, without any header the rules below remove or",
    '  # rewrite: they would change nothing, skipped.',
    `  http-response allow if !{ var(${REWRITE}) -m found } !{ res.hdr_names -m reg -i ${pattern(names)} }`,
    '  http-response del-header server',
    '  http-response del-header x-powered-by',
    '  http-response del-header via',
    ...LEAKY_RESPONSE_HEADERS.map((h) => `  http-response del-header ${h}`),
    ...LEAKY_RESPONSE_PREFIXES.map((p) => `  http-response del-header ${p} -m beg`),
    ...LOCATION_RULES,
    ...CHALLENGE_RULES,
    ...(reasonPhrases ? [...rewrittenReasonRules(), ...successReasonRules()] : []),
  ];
}
