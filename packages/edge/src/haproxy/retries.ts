/**
 * Where HAProxy tries a request again on another server, as nginx's default `proxy_next_upstream
 * error` does (measured with HAProxy 2.6.12; a timeout is not retried: the 504 comes after one
 * `readTimeout`, as nginx's `proxy_next_upstream_timeout` bounds it). Without these lines HAProxy
 * retries only the server that refused the connection, and a request a server took and closed
 * with no answer gets the 502 page (a client's first request) or a closed connection that HAProxy
 * does not even log (any later request on a kept-alive client connection: HAProxy 2.6 leaves it
 * to the client to retry).
 */

/**
 * The HTTP backend's retry lines: each retry goes to another server (`option redispatch`), and a
 * request of an idempotent method (GET, HEAD, OPTIONS, PUT, DELETE) is also retried when a server
 * closed the connection without answering (a kept-alive connection it closed as the gateway reused
 * it, a server that crashed on the request). Other methods are retried only when the connection
 * failed before the request was sent: the server may have acted on it. HAProxy keeps a copy of a
 * request that fits in its buffer (`--buffer-size`) to send it again; a larger one is not retried.
 */
export const RETRY_LINES: readonly string[] = [
  '  # A failed attempt goes to another server: a connection refused or cut, and for an idempotent',
  '  # method a connection the server closed with no answer (retries.ts).',
  '  retries 3',
  '  option redispatch 1',
  '  retry-on conn-failure empty-response',
  '  http-request disable-l7-retry unless { method GET HEAD OPTIONS PUT DELETE }',
];
