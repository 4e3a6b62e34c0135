/**
 * Network and cancellation: Node errno codes (`ECONNREFUSED`, `ETIMEDOUT`, …), undici/fetch
 * codes, `AbortError` and `TimeoutError` (DOM exceptions and look-alikes). Node's own `AbortError`
 * (`ABORT_ERR`, from `timers/promises`, `events.once`, `stream.pipeline`, `fs` with a `signal`)
 * keeps the signal's reason as its `cause`: when that is a `TimeoutError` (`AbortSignal.timeout`),
 * a deadline fired, as when `fetch` rejects with the `TimeoutError` itself.
 */
import { isObjectLike, type ObjectLike, safeGet, safeGetString } from '../safe-access.js';
import type { Classification, Classifier } from './types.js';

const ERRNO: Readonly<Record<string, Omit<Classification, 'reason'>>> = {
  ECONNREFUSED: { category: 'unavailable' },
  ENOTFOUND: { category: 'unavailable' },
  EAI_AGAIN: { category: 'unavailable' },
  EHOSTUNREACH: { category: 'unavailable' },
  ENETUNREACH: { category: 'unavailable' },
  EHOSTDOWN: { category: 'unavailable' },
  ENETDOWN: { category: 'unavailable' },
  ETIMEDOUT: { category: 'timeout' },
  ESOCKETTIMEDOUT: { category: 'timeout' },
  ECONNRESET: { category: 'bad_gateway' },
  EPIPE: { category: 'bad_gateway' },
  ECONNABORTED: { category: 'bad_gateway' },
  EPROTO: { category: 'bad_gateway' },
  UND_ERR_CONNECT_TIMEOUT: { category: 'timeout' },
  UND_ERR_HEADERS_TIMEOUT: { category: 'timeout' },
  UND_ERR_BODY_TIMEOUT: { category: 'timeout' },
  UND_ERR_SOCKET: { category: 'bad_gateway' },
  UND_ERR_CLOSED: { category: 'bad_gateway' },
  UND_ERR_RESPONSE_STATUS_CODE: { category: 'bad_gateway' },
  UND_ERR_ABORTED: { category: 'cancelled' },
  ERR_STREAM_PREMATURE_CLOSE: { category: 'cancelled' },
  EMFILE: { category: 'unavailable' },
  ENFILE: { category: 'unavailable' },
  ENOSPC: { category: 'unavailable' },
  ENOMEM: { category: 'unavailable' },
};

/** True when `error` (an abort) was caused by an `AbortSignal.timeout` deadline. */
function abortedByTimeout(error: ObjectLike): boolean {
  const cause = safeGet(error, 'cause');
  return isObjectLike(cause) && safeGetString(cause, 'name', 64) === 'TimeoutError';
}

/** Node system errors and undici errors, by their string `code`. */
export const networkClassifier: Classifier = {
  name: 'net',
  classify(error: ObjectLike) {
    const name = safeGetString(error, 'name', 64);
    if (name === 'TimeoutError') return { category: 'timeout', reason: 'net:TimeoutError' };
    const code = safeGetString(error, 'code', 64);
    if (name === 'AbortError' || code === 'ABORT_ERR') {
      if (abortedByTimeout(error)) return { category: 'timeout', reason: 'net:AbortError:TimeoutError' };
      return { category: 'cancelled', reason: name === 'AbortError' ? 'net:AbortError' : 'net:ABORT_ERR' };
    }
    if (code === undefined) return undefined;
    const mapped = ERRNO[code];
    return mapped === undefined ? undefined : { ...mapped, reason: `net:${code}` };
  },
};
