/**
 * Network and cancellation: Node errno codes (`ECONNREFUSED`, `ETIMEDOUT`, …), undici/fetch
 * codes, `AbortError` and `TimeoutError` (DOM exceptions and look-alikes).
 */
import { type ObjectLike, safeGetString } from '../safe-access.js';
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
  ABORT_ERR: { category: 'cancelled' },
  EMFILE: { category: 'unavailable' },
  ENFILE: { category: 'unavailable' },
  ENOSPC: { category: 'unavailable' },
  ENOMEM: { category: 'unavailable' },
};

/** Node system errors and undici errors, by their string `code`. */
export const networkClassifier: Classifier = {
  name: 'net',
  classify(error: ObjectLike) {
    const name = safeGetString(error, 'name', 64);
    if (name === 'TimeoutError') return { category: 'timeout', reason: 'net:TimeoutError' };
    if (name === 'AbortError') return { category: 'cancelled', reason: 'net:AbortError' };
    const code = safeGetString(error, 'code', 64);
    if (code === undefined) return undefined;
    const mapped = ERRNO[code];
    return mapped === undefined ? undefined : { ...mapped, reason: `net:${code}` };
  },
};
