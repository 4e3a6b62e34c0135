/** Redis clients (ioredis, node-redis): reply errors by their prefix, connection errors by class. */
import { type ObjectLike, safeGetString } from '../safe-access.js';
import type { Classification, Classifier } from './types.js';

const REPLY_PREFIXES: Readonly<Record<string, Omit<Classification, 'reason'>>> = {
  NOAUTH: { category: 'internal' }, // the service's own credentials
  WRONGPASS: { category: 'internal' },
  NOPERM: { category: 'internal' },
  LOADING: { category: 'unavailable' },
  BUSY: { category: 'unavailable' },
  MASTERDOWN: { category: 'unavailable' },
  CLUSTERDOWN: { category: 'unavailable' },
  TRYAGAIN: { category: 'unavailable' },
  READONLY: { category: 'unavailable' },
  OOM: { category: 'unavailable' },
  EXECABORT: { category: 'conflict', retryable: true },
};

const CLIENT_NAMES: Readonly<Record<string, Omit<Classification, 'reason'>>> = {
  MaxRetriesPerRequestError: { category: 'unavailable' },
  ConnectionTimeoutError: { category: 'timeout' },
  ClientClosedError: { category: 'unavailable' },
  ClientOfflineError: { category: 'unavailable' },
  SocketClosedUnexpectedlyError: { category: 'unavailable' },
  ReconnectStrategyError: { category: 'unavailable' },
};

/** ioredis `ReplyError` / node-redis `ErrorReply` and their connection errors. */
export const redisClassifier: Classifier = {
  name: 'redis',
  classify(error: ObjectLike) {
    const name = safeGetString(error, 'name', 64);
    if (name === undefined) return undefined;
    const byName = CLIENT_NAMES[name];
    if (byName !== undefined) return { ...byName, reason: `redis:${name}` };
    if (name !== 'ReplyError' && name !== 'ErrorReply') return undefined;
    const prefix = (safeGetString(error, 'message', 32) ?? '').split(/[\s:]/, 1)[0] ?? '';
    const mapped = REPLY_PREFIXES[prefix];
    return {
      ...(mapped ?? { category: 'internal' }),
      reason: `redis:${/^[A-Z]{2,16}$/.test(prefix) ? prefix : 'reply'}`,
    };
  },
};
