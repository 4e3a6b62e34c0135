/**
 * Requests whose `Expect` header names anything but `100-continue` (`Expect: foo`). Without a
 * `'checkExpectation'` listener, Node answers them itself with a bare `417 Expectation Failed`: no
 * body, no request id, the route never runs. RFC 9110 §10.1.1 lets a server ignore an expectation
 * it does not know instead, and Faultline's taxonomy has no 417: such a request is handed to the
 * server's normal request handling, so the route answers (its success, or Faultline's error answer
 * with its id). Node's HTTP/1.1 server and its HTTP/2 compatibility server both emit the event.
 * The Fastify plugin adds the listener at registration; the Express adapter when `app.listen` of
 * an app given as `faultline({ app })` makes the server, else at a server's first request.
 */

/** The part of a Node server (`http`, `https`, `http2`) this module uses. */
interface ExpectationServer {
  on(event: 'checkExpectation', listener: (request: unknown, response: unknown) => void): unknown;
  listenerCount(event: string): number;
  emit(event: string, ...args: unknown[]): boolean;
}

/** The part of a response Node's own 417 uses. */
interface BareResponse {
  writeHead(status: number): unknown;
  end(): unknown;
}

/** Servers already seen: one listener per server at most, whichever scope registered the plugin. */
const servers = new WeakSet<object>();

/**
 * The `'checkExpectation'` listener: hands the request to the server's `'request'` listeners (the
 * framework), as if the header were absent. It stands aside when another listener (the
 * application's, added after Faultline's) owns the request, and answers as Node would (417) when
 * the server has no request listener to hand it to.
 */
function handOver(this: ExpectationServer, request: unknown, response: unknown): void {
  if (this.listenerCount('checkExpectation') > 1) return;
  if (this.listenerCount('request') > 0) {
    this.emit('request', request, response);
    return;
  }
  (response as BareResponse).writeHead(417);
  (response as BareResponse).end();
}

/**
 * Makes `server` ignore unknown expectations (see the module's comment): adds Faultline's
 * `'checkExpectation'` listener, once per server, unless the server has one already (the
 * application's own then decides). Anything that is not an event-emitting server is left alone.
 */
export function ignoreUnknownExpectations(server: unknown): void {
  if (typeof server !== 'object' || server === null || servers.has(server)) return;
  servers.add(server);
  const candidate = server as Partial<ExpectationServer>;
  if (typeof candidate.on !== 'function' || typeof candidate.listenerCount !== 'function') return;
  if (candidate.listenerCount('checkExpectation') > 0) return;
  candidate.on('checkExpectation', handOver);
}
