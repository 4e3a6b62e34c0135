/**
 * Interim answers (1xx but 101, RFC 9110 §15.2): a client skips them and waits for the final
 * answer. An interim answer is never the answer of an exchange, and a target that sends them
 * without end (a flood of `100 Continue`) gets an unparseable exchange after {@link MAX_INTERIM},
 * not an unbounded buffer and a clean verdict.
 */

/** How many interim answers an exchange skips before it is unparseable. */
export const MAX_INTERIM = 8;

/** True for an interim status: 1xx, except 101 (Switching Protocols), which ends the exchange. */
export function isInterim(status: number): boolean {
  return status >= 100 && status < 200 && status !== 101;
}
