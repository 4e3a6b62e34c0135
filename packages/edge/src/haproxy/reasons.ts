/**
 * The standard reason phrase on error answers HAProxy passes: it relays a backend's status line as
 * it came over HTTP/1.1 (`HTTP/1.1 500 db-primary exploded`), and a reason phrase is free text a
 * backend may fill with a host, a query or an exception. HAProxy 2.6 has no sample for the reason,
 * and `set-status` takes a constant: one rule per status, each run on every answer. So the rules
 * cover the statuses of Faultline's taxonomy (what its adapters and the gateways' pages answer)
 * and 410 and 422, and each first checks one variable, set only on an error answer that is not
 * Faultline's own (whose id is this request's: Faultline's adapters write the standard phrase).
 * Measured (100,000 error answers, HAProxy's CPU time): one rule per status from 200 to 599 cost
 * about 2 us an answer, 10% of the generated gateway's time. (There is no sample of the reason:
 * `res.hdrs` starts after the status line, and payload samples are ignored in HTTP rules; so no
 * rule can test whether a phrase is the standard one.) A 200, the answer services send most,
 * always gets the standard phrase (`set-status` with the same status writes it): about 0.1 us of
 * HAProxy's CPU an answer, measured as 100 copies of the rule. Other success and redirect answers
 * (201, 204, 302…), and error statuses outside the list, keep theirs.
 */
import { STATUS_CODES } from 'node:http';
import { TAXONOMY } from '@faultline/core/adapter';

/** The error statuses whose phrase is made standard: the taxonomy's (but 499, no standard phrase), 410, 422. */
const STATUSES: readonly number[] = [...new Set([...Object.values(TAXONOMY).map((spec) => spec.http), 410, 422])]
  .filter((status) => status >= 400 && STATUS_CODES[status] !== undefined)
  .sort((a, b) => a - b);

/** Those statuses and their phrases (as Node writes them). */
export const STANDARD_REASONS: ReadonlyMap<number, string> = new Map(
  STATUSES.map((status) => [status, String(STATUS_CODES[status])] as const).filter(([, reason]) =>
    /^[A-Za-z0-9 '-]+$/.test(reason),
  ),
);

/**
 * The rule marking an error answer that is not Faultline's own (its id is not this request's), in
 * the backend's rules after every answer under 400 has left them (skipped or replaced), so without
 * a status test.
 */
export const ERROR_ANSWER_RULE = '  http-response set-var(txn.error_answer) bool(true) if !faultline_id';

/** The rule giving every 200 the standard phrase (`set-status` with the same status writes it). */
export const STATUS_200_RULE = '  http-response set-status 200 if { status 200 }';

/** The rules setting the standard phrase of each of those statuses on an error answer marked by {@link ERROR_ANSWER_RULE}. */
export function reasonRules(): string[] {
  return [
    "  # The standard reason phrase of an error answer (a backend's own may name a host, a version or",
    '  # quote a query).',
    ...[...STANDARD_REASONS].map(
      ([status, reason]) =>
        `  http-response set-status ${status} reason "${reason}" if { var(txn.error_answer) -m found } { status ${status} }`,
    ),
  ];
}
