/**
 * Express's own error when the client goes away during `res.sendFile` or `res.download` (its
 * `send` stream was cut): an `Error('Request aborted')` with `code: 'ECONNABORTED'`, passed to
 * the callback, which the documented pattern hands to `next`. Core reads `ECONNABORTED` as a
 * network code of an upstream connection (`bad_gateway`), so every download a client cancelled was
 * recorded as a 502 fault. When the client is gone, such an error is the client's cancellation:
 * this classifier, tried after the application's and before the built-in ones, makes it
 * `cancelled` (499). body-parser's `request aborted` (`type: 'request.aborted'`, the same code), raised
 * when the client left while its body was read, is the client's cancellation too: it was recorded
 * as the client's invalid request (`VALIDATION_FAILED`, 400). Values that carry another meaning are
 * left to the built-in classifiers: body-parser's other types and axios's (`isAxiosError`, a timeout).
 */
import { type Classifier, safeGet } from '@faultline/core/adapter';

/** The classifier of Express's `Request aborted` error, used only while the client is gone. */
const CLIENT_ABORTED: Classifier = {
  name: 'express',
  classify(error) {
    if (safeGet(error, 'code') !== 'ECONNABORTED') return undefined;
    const type = safeGet(error, 'type');
    if (type === 'request.aborted') return { category: 'cancelled', reason: 'body:request.aborted:client-gone' };
    if (type !== undefined || safeGet(error, 'isAxiosError') === true) return undefined;
    return { category: 'cancelled', reason: 'express:ECONNABORTED:client-gone' };
  },
};

/** The classifier lists made, by the application's list (one per `faultline()` call). */
const lists = new WeakMap<readonly Classifier[], readonly Classifier[]>();

/**
 * The classifiers for a request whose client is gone: the application's, then
 * {@link CLIENT_ABORTED}. Made once per application list.
 */
export function classifiersWhenGone(classifiers: readonly Classifier[]): readonly Classifier[] {
  let list = lists.get(classifiers);
  if (list === undefined) {
    list = [...classifiers, CLIENT_ABORTED];
    lists.set(classifiers, list);
  }
  return list;
}
