/**
 * `for await (const message of call)` on a request stream (client-streaming and bidi calls), and
 * the Readable helpers built on it (`toArray`, `reduce`, `map`…). Node's iterator destroys its
 * stream once the loop ends or breaks (`destroyOnReturn`), and a Duplex whose writable side has
 * not finished (a client-streaming call's never does; a bidi call's has not when its loop ends)
 * gets `destroy(new AbortError())`: the call's guard takes that for the handler's failure, and
 * every such call, however it then answers, ended with INTERNAL. grpc-js alone ignores it. Here
 * the iterator leaves the stream as it is; an error of the stream still ends the loop with it.
 */

/** A request stream: Node's Readable, with its `iterator(options)`. */
export interface IterableRequests {
  iterator(options?: { destroyOnReturn?: boolean }): AsyncIterator<unknown>;
  [Symbol.asyncIterator]?: unknown;
}

/** The call's async iterator (one function for every call): Node's, not destroying on return. */
function iterateRequests(this: IterableRequests): AsyncIterator<unknown> {
  return this.iterator({ destroyOnReturn: false });
}

/**
 * Gives a request stream `call` an async iterator that does not destroy it once a `for await`
 * loop ends (see the module's description). A call without Node's `iterator` (a server-streaming
 * call is a Writable) is left as it is.
 */
export function iterateWithoutDestroy(call: object): void {
  if (typeof (call as Partial<IterableRequests>).iterator !== 'function') return;
  (call as IterableRequests)[Symbol.asyncIterator] = iterateRequests;
}
