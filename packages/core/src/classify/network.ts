/**
 * Network and cancellation: Node errno codes (`ECONNREFUSED`, `ETIMEDOUT`, …), undici/fetch
 * codes, `AbortError` and `TimeoutError` (DOM exceptions and look-alikes). Node's own `AbortError`
 * (`ABORT_ERR`, from `timers/promises`, `events.once`, `stream.pipeline`, `fs` with a `signal`)
 * keeps the signal's reason as its `cause`: when that is a `TimeoutError` (`AbortSignal.timeout`),
 * a deadline fired, as when `fetch` rejects with the `TimeoutError` itself. When it is a
 * `FaultError` (`controller.abort(catalog.create(...))`), the application's own word, this
 * classifier leaves the abort to it (found in the cause), as when `fetch` rejects with the reason.
 */
import { FaultError } from '../fault-error.js';
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

/** What an abort's reason (its `cause`) says of it: a deadline, the application's own fault, or nothing. */
function abortReason(error: ObjectLike): 'timeout' | 'fault' | undefined {
  const cause = safeGet(error, 'cause');
  if (!isObjectLike(cause)) return undefined;
  if (FaultError.is(cause)) return 'fault';
  return safeGetString(cause, 'name', 64) === 'TimeoutError' ? 'timeout' : undefined;
}

/** Node system errors and undici errors, by their string `code`. */
export const networkClassifier: Classifier = {
  name: 'net',
  classify(error: ObjectLike) {
    const name = safeGetString(error, 'name', 64);
    if (name === 'TimeoutError') return { category: 'timeout', reason: 'net:TimeoutError' };
    const code = safeGetString(error, 'code', 64);
    if (name === 'AbortError' || code === 'ABORT_ERR') {
      const reason = abortReason(error);
      if (reason === 'fault') return undefined;
      if (reason === 'timeout') return { category: 'timeout', reason: 'net:AbortError:TimeoutError' };
      return { category: 'cancelled', reason: name === 'AbortError' ? 'net:AbortError' : 'net:ABORT_ERR' };
    }
    if (code === undefined) return undefined;
    const mapped = ERRNO[code];
    return mapped === undefined ? undefined : { ...mapped, reason: `net:${code}` };
  },
};
