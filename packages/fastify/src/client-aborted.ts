/**
 * A client that leaves while its request body is still being read. Over HTTP/1.1 Node destroys
 * the request with its own `Error('aborted')`, `code: 'ECONNRESET'`, which Fastify's body reader
 * hands to the error handler; core reads that code as an upstream connection's (`bad_gateway`), so
 * every upload a client cut short (a slow body, an `Expect: 100-continue` never followed) was
 * recorded as a 502 at error level. Over HTTP/2 a stream the client reset ends the body early,
 * and Fastify raises `FST_ERR_CTP_INVALID_CONTENT_LENGTH`, recorded as the client's invalid
 * request (400). Once the client is gone, both are its cancellation (`cancelled`, 499): the
 * request's own stream error is told by identity (`request.errored`), not by its code, so an
 * upstream's `ECONNRESET` keeps its meaning.
 */
import { type Classifier, safeGet } from '@faultline/core/adapter';
import { fastifyClassifier } from './fastify-classifier.js';

/** The parts of the raw request read here (`IncomingMessage` or `Http2ServerRequest`). */
interface RawRequest {
  readonly errored?: unknown;
}

/**
 * True when `error` is the request body cut short by the client: the raw request's own stream
 * error, or Fastify's length mismatch of a body that ended early. Only asked once the client is gone.
 */
export function bodyCutShort(error: unknown, raw: RawRequest): boolean {
  if (error === null || error === undefined) return false;
  return raw.errored === error || safeGet(error, 'code') === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH';
}

/** Classifies anything as the client's cancellation: used only for a body {@link bodyCutShort}. */
const CLIENT_LEFT_BODY: Classifier = {
  name: 'fastify',
  classify: () => ({ category: 'cancelled', reason: 'fastify:body-aborted:client-gone' }),
};

/** The classifier lists made, by the plugin's list (one per registration). */
const lists = new WeakMap<readonly Classifier[], readonly Classifier[]>();

/**
 * The classifiers for a body the client cut short: the application's, then
 * {@link CLIENT_LEFT_BODY} in place of (before) Fastify's own. Made once per plugin list.
 */
export function classifiersForCutBody(classifiers: readonly Classifier[]): readonly Classifier[] {
  let list = lists.get(classifiers);
  if (list === undefined) {
    const own = classifiers.indexOf(fastifyClassifier);
    const at = own === -1 ? classifiers.length : own;
    list = [...classifiers.slice(0, at), CLIENT_LEFT_BODY, ...classifiers.slice(at)];
    lists.set(classifiers, list);
  }
  return list;
}
