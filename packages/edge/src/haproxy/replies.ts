/**
 * The HAProxy rules that answer with a gateway page: the arguments of one page, the backend
 * headers a replaced answer keeps, and the rules replacing a backend 4xx (one that is not JSON,
 * or in the application's error type with an id of its own).
 */
import { JSON_MEDIA_TYPE, KEPT_HEADERS } from '../backend-headers.js';
import { CLIENT_STATUSES, foreign4xxPage, foreign4xxTemplates } from '../foreign-4xx.js';
import type { GatewayFailure, GatewayPage, GatewayPageOptions } from '../pages.js';

/** The request id in a log-format string. */
export const ID = '%[var(txn.request_id)]';

/** The arguments shared by `http-error`, `http-request return` and `http-response return` for one page. */
export function answer(page: Pick<GatewayPage, 'status' | 'headers' | 'head' | 'tail'>): string {
  const body = `${page.head}${ID}${page.tail}`;
  if (/['\\]/.test(body) || /%(?!\[var\(txn\.request_id\)\])/.test(body))
    throw new Error('faultline-edge: a page body cannot be written as an HAProxy log-format string');
  const headers = Object.entries(page.headers)
    .filter(([name]) => name !== 'content-type')
    .map(([name, value]) => `hdr ${name} "${value}"`);
  return `status ${page.status} content-type "${page.headers['content-type']}" lf-string '${body}' hdr x-request-id "${ID}" ${headers.join(' ')}`;
}

/** A regular-expression source as an HAProxy pattern (single-quoted: no escape is interpreted). */
export function pattern(source: string): string {
  if (/'/.test(source)) throw new Error('faultline-edge: a pattern contains a quote');
  return `'${source}'`;
}

/**
 * The backend's headers a replaced answer keeps when well-formed, read into variables before any
 * `return` (which drops the backend's answer): a 401's challenge scheme only, a 405's Allow, a
 * 429's or 503's Retry-After in seconds, at most a day.
 */
export const KEPT_RULES = [
  `  http-response set-var(txn.kept_challenge) res.fhdr(www-authenticate),regsub('[^A-Za-z0-9._~+-].*$','') if { status 401 } { res.fhdr(www-authenticate) -m reg ${pattern(KEPT_HEADERS.challengeScheme)} }`,
  `  http-response set-var(txn.kept_allow) res.fhdr(allow) if { status 405 } { res.fhdr(allow) -m reg ${pattern(KEPT_HEADERS.allow)} }`,
  `  http-response set-var(txn.kept_retry) res.fhdr(retry-after) if { status 429 503 } { res.fhdr(retry-after) -m reg ${pattern(KEPT_HEADERS.retryAfter)} } { res.hdr_val(retry-after) le 86400 }`,
];

/** The variable holding each header kept from the backend (see {@link KEPT_RULES}). */
const KEPT_VARS: Readonly<Record<number, readonly [string, string]>> = {
  401: ['www-authenticate', 'txn.kept_challenge'],
  405: ['allow', 'txn.kept_allow'],
  429: ['retry-after', 'txn.kept_retry'],
  503: ['retry-after', 'txn.kept_retry'],
};

/**
 * The rules answering `page` for a backend status when `condition` holds: first with the header
 * the backend sent (when {@link KEPT_RULES} kept one for this status), then with the page's own.
 */
export function withKept(
  page: Pick<GatewayPage, 'status' | 'headers' | 'head' | 'tail'>,
  status: number,
  condition: string,
) {
  const kept = KEPT_VARS[status];
  const plain = `  http-response return ${answer(page)} if { status ${status} } ${condition}`;
  if (kept === undefined) return [plain];
  const [header, variable] = kept;
  const keeping = { ...page, headers: { ...page.headers, [header]: `%[var(${variable})]` } };
  return [
    `  http-response return ${answer(keeping)} if { status ${status} } { var(${variable}) -m found } ${condition}`,
    plain,
  ];
}

/**
 * The rules replacing a backend 4xx by the page of its category, its status kept: one that is not
 * JSON (HTML, text, XML, no or two Content-Type; unless `passForeign4xx`), and one in the
 * application's error type carrying an id that is not the request's (a service that made its
 * own: its body's `request_id` would contradict the answer's header). Needs the backend's
 * `faultline_type` and `faultline_id` ACLs.
 */
export function clientRules(options: GatewayPageOptions): string[] {
  const templates = foreign4xxTemplates(options);
  return [
    ...(options.passForeign4xx === true
      ? []
      : [
          '  # A 4xx that is not JSON (HTML, text, XML, no Content-Type): the page of its category, its status kept.',
          `  http-response set-var(txn.foreign_4xx) bool(1) if { status 400:499 } !{ res.fhdr(content-type) -m reg -i ${pattern(JSON_MEDIA_TYPE)} }`,
          '  http-response set-var(txn.foreign_4xx) bool(1) if { status 400:499 } { res.fhdr_cnt(content-type) gt 1 }',
          '  http-response set-var(txn.replace_4xx) bool(1) if { var(txn.foreign_4xx) -m bool }',
        ]),
    '  # A 4xx in the application type with an id of its own: the same page, with this id.',
    '  http-response set-var(txn.replace_4xx) bool(1) if { status 400:499 } faultline_type { res.hdr(x-request-id) -m found } !faultline_id',
    ...CLIENT_STATUSES.flatMap((status) =>
      withKept(foreign4xxPage(templates, status), status, '{ var(txn.replace_4xx) -m bool }'),
    ),
  ];
}

/**
 * The other statuses HAProxy 2.6 has a built-in page for (`http-error` accepts these and those of
 * `HAPROXY_STATUSES`, no other). The generated rules never make them, but one an operator adds
 * (`http-request deny` 403, `auth` 401 or 407, `wait-for-handshake` 425) would answer them.
 */
export const HAPROXY_OTHER_STATUSES: readonly number[] = [401, 403, 404, 405, 407, 410, 413, 421, 422, 425];

/** Those of {@link HAPROXY_OTHER_STATUSES} that have a gateway page of their own. */
const OTHER_PAGES: Readonly<Record<number, GatewayFailure>> = {
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
};

/**
 * The `http-error` lines answering {@link HAPROXY_OTHER_STATUSES} in the application's shape, with
 * the request id in the body and the header: the gateway page when there is one, else the page
 * of the status's category with the status kept (401 UNAUTHENTICATED, 403 FORBIDDEN, …).
 */
export function otherErrors(options: GatewayPageOptions, pages: ReadonlyMap<GatewayFailure, GatewayPage>): string[] {
  const templates = foreign4xxTemplates(options);
  return HAPROXY_OTHER_STATUSES.map((status) => {
    const failure = OTHER_PAGES[status];
    const page = failure === undefined ? foreign4xxPage(templates, status) : (pages.get(failure) as GatewayPage);
    return `  http-error ${answer(page)}`;
  });
}
