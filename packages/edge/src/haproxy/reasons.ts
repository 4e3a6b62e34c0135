/**
 * The standard reason phrase on every answer HAProxy relays. HAProxy relays a backend's status
 * line as it came over HTTP/1.1 (`HTTP/1.1 201 Created by orders-db-01.internal v1.2.3`), and a
 * reason phrase is free text a backend may fill with a host, a version or an exception. HAProxy
 * 2.6 has no sample of the reason (`res.hdrs` starts after the status line, payload samples are
 * ignored in HTTP rules), so no rule can test whether a phrase is the standard one, and
 * `set-status` takes a constant: one rule per status, placed so an answer walks few of them.
 *
 * - 200: the frontend's `http-response` rule.
 * - 101, 2xx and 3xx: the frontend's `http-after-response` rules, which any other answer leaves
 *   at the first (measured with `bench:edge-instructions`: about 300 instructions more on a 200,
 *   500 on an error answer, 0.5%); the common ones first, then an `allow` of their own.
 *   (In the backend's rules, before the `allow` of every answer under 400, each error answer
 *   walked them all: 7,700 instructions more.)
 * - 4xx: the foreign ones that pass (JSON not in the application's type, or with
 *   `passForeign4xx`), marked {@link REWRITE}: the frontend's last `http-response` rules. The
 *   application's own (this request's id, its type) keep theirs: Faultline's adapters write the
 *   standard phrase.
 * - 5xx: a foreign one never passes (the page of 500, 501, 502, 503 or 504 replaces it, with
 *   HAProxy's own phrase); the application's own keeps its phrase.
 * - An interim 1xx (100, 103) is relayed as it came, with its headers: HAProxy runs no rule on it.
 *
 * A status in Node's table gets Node's phrase (as Faultline's adapters write it), any other the
 * phrase of its class (`299 Success`, `499 Client Error`).
 */
import { STATUS_CODES } from 'node:http';

/** The variable marking an error answer that is not the application's own: the frontend rewrites all of it. */
export const REWRITE = 'txn.rewrite';

/** The backend status, read once (the backend's first rule). */
const STATUS = 'var(txn.upstream_status)';

/** The phrase of a status in Node's table, when it is plain text. */
function known(status: number): string | undefined {
  const reason = STATUS_CODES[status];
  return reason !== undefined && /^[A-Za-z0-9 '-]+$/.test(reason) ? reason : undefined;
}

/** The phrase of a status's class, for a status without one of its own. */
const CLASS_REASONS: Readonly<Record<number, string>> = { 2: 'Success', 3: 'Redirection', 4: 'Client Error' };

/** The statuses from `from` to `to` (inclusive). */
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The 2xx and 3xx (and 101) answered most, set first and left by their own `allow`. */
const COMMON_SUCCESS: readonly number[] = [201, 204, 304, 302, 301, 303, 307, 308];

/** The other 101, 2xx and 3xx (with a phrase in Node's table or not). */
const OTHER_SUCCESS: readonly number[] = [101, ...range(202, 399)].filter((status) => !COMMON_SUCCESS.includes(status));

/** The 4xx with a phrase in Node's table, the common ones first. */
const CLIENT: readonly number[] = [
  ...new Set([400, 404, 401, 403, 409, 422, 429, 405, 410, 415, 406, 413, 412, 408, 431, 414, ...range(400, 499)]),
].filter((status) => known(status) !== undefined);

/** The 4xx without a phrase in Node's table. */
const UNNAMED_CLIENT: readonly number[] = range(400, 499).filter((status) => known(status) === undefined);

/** An `-m int` pattern list for `statuses`, consecutive ones as ranges (`201:208`). */
export function intList(statuses: readonly number[]): string {
  const sorted = [...statuses].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j;
  }
  return parts.join(' ');
}

/** The `rules` rule setting the phrase of `status` (Node's, else its class's). */
function setStatus(status: number, rules: 'http-response' | 'http-after-response' = 'http-response'): string {
  const reason = known(status) ?? CLASS_REASONS[Math.floor(status / 100)];
  return `  ${rules} set-status ${status} reason "${reason}" if { ${STATUS} -m int ${status} }`;
}

/** The frontend rule giving every 200 the standard phrase (`set-status` with the same status writes it). */
export const STATUS_200_RULE = `  http-response set-status 200 reason "OK" if { ${STATUS} -m int 200 }`;

/**
 * The frontend's `http-after-response` rules (run after its `http-response` rules, on every
 * answer): a 101, 2xx or 3xx other than 200 gets its phrase, the common ones first and leaving by
 * their own `allow`; any other answer leaves at the first rule (a 200, an error answer, a page,
 * the page answering a backend's 101 that did not grant the handshake: its status is no longer 101).
 */
export function successReasonRules(): string[] {
  return [
    "  # The standard reason phrase of a 101, 2xx or 3xx other than 200 (a backend's own may name a",
    "  # host or a version; a 200's is set above): any other answer leaves at once, and so does the",
    "  # 502 page that refused a backend's 101 (upgrade.ts).",
    `  http-after-response allow if !{ ${STATUS} -m int 101 201:399 } || { ${STATUS} -m int 101 } !{ status 101 }`,
    ...COMMON_SUCCESS.map((status) => setStatus(status, 'http-after-response')),
    `  http-after-response allow if { ${STATUS} -m int ${intList(COMMON_SUCCESS)} }`,
    ...OTHER_SUCCESS.map((status) => setStatus(status, 'http-after-response')),
  ];
}

/**
 * The rule marking an error answer that is not Faultline's own (its id is not this request's), in
 * the backend's rules after every answer under 400 has left them, so without a status test.
 */
export const ERROR_ANSWER_RULE = `  http-response set-var(${REWRITE}) bool(true) if !faultline_id`;

/**
 * The frontend's last `http-response` rules: the phrase of an answer marked {@link REWRITE} (a
 * foreign 4xx that passes); any other answer leaves at the first.
 */
export function rewrittenReasonRules(): string[] {
  return [
    "  # The standard reason phrase of a marked answer (a backend's own may name a host, a version or",
    '  # quote a query); the other answers have theirs already.',
    `  http-response allow unless { var(${REWRITE}) -m found }`,
    ...CLIENT.map((status) => setStatus(status)),
    `  http-response allow if { ${STATUS} -m int ${intList(CLIENT)} }`,
    ...UNNAMED_CLIENT.map((status) => setStatus(status)),
  ];
}
