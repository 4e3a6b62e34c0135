/**
 * Where HAProxy tries a request again on another server. By default, as nginx's default
 * `proxy_next_upstream error` does for a connection that could not be made: each retry goes to
 * another server (`option redispatch`), so a server that is down or refusing costs a retry, not
 * the request. A timeout is not retried: the 504 comes after one `readTimeout`.
 *
 * A server that took a request and closed the connection without answering (a crash on it, a
 * kept-alive connection it closed as the gateway reused it) gets the 502 page on a client's first
 * request, and HAProxy 2.6 closes a kept-alive client connection's later request with no answer
 * and no log line (it leaves the retry to the client). `retryClosed` retries such a request of an
 * idempotent method on another server too (`retry-on conn-failure empty-response`): HAProxy then
 * keeps a copy of every request to send it again, which measured 336,080 instructions a request
 * on a 200 against 70,833 without it (`bench:edge-instructions`, HAProxy 2.6.12): off by default.
 */
import { fail } from '../fail.js';

/** The HTTP backend's retry lines; `retryClosed` (a boolean) adds the retry of a request a server closed unanswered. */
export function retryLines(retryClosed: unknown): readonly string[] {
  if (retryClosed !== undefined && typeof retryClosed !== 'boolean') fail('retry closed', retryClosed, 'true or false');
  const lines = [
    '  # A connection refused or cut before the request went out is tried on another server (retries.ts).',
    '  retries 3',
    '  option redispatch 1',
  ];
  if (retryClosed !== true) return lines;
  return [
    ...lines,
    '  # retryClosed: a request of an idempotent method a server closed with no answer is tried again.',
    '  retry-on conn-failure empty-response',
    '  http-request disable-l7-retry unless { method GET HEAD OPTIONS PUT DELETE }',
  ];
}
