/**
 * Verification of the client's own credentials: jsonwebtoken and jose errors. These are the only
 * errors core maps to 401 on its own; failures of the service's credentials never are.
 */
import { type ObjectLike, safeGet, safeGetString } from '../safe-access.js';
import type { Classifier } from './types.js';

const JWT_NAMES = new Set(['TokenExpiredError', 'JsonWebTokenError', 'NotBeforeError']);

/**
 * jsonwebtoken (`TokenExpiredError`, …) and jose (`ERR_JWT_*`, `ERR_JWS_*`, `ERR_JWE_*`,
 * `ERR_JOSE_ALG_NOT_ALLOWED`) errors.
 */
export const jwtClassifier: Classifier = {
  name: 'jwt',
  classify(error: ObjectLike) {
    const name = safeGetString(error, 'name', 64);
    if (name !== undefined && JWT_NAMES.has(name)) return { category: 'unauthenticated', reason: `jwt:${name}` };
    const code = safeGetString(error, 'code', 64);
    if (code !== undefined && /^ERR_(?:JWT|JWS|JWE|JWK|JWKS)_[A-Z_]{2,48}$/.test(code)) {
      // A JWKS that cannot be fetched is the service's problem, not the client's token.
      if (code === 'ERR_JWKS_TIMEOUT') return { category: 'unavailable', reason: `jose:${code}` };
      // A remote key set that answered something other than a JWKS: the issuer's failure, not the token's.
      if (code === 'ERR_JWKS_INVALID') return { category: 'bad_gateway', reason: `jose:${code}` };
      return { category: 'unauthenticated', reason: `jose:${code}` };
    }
    // The token's header names an algorithm the verifier does not allow (`alg: none`, HS256 for RS256).
    if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') return { category: 'unauthenticated', reason: `jose:${code}` };
    return undefined;
  },
};

/**
 * CASL's `ForbiddenError` (`@casl/ability`): the client may not do this. Recognised by the fields
 * CASL sets (`ability`, `action`), never by the name alone.
 */
export const caslClassifier: Classifier = {
  name: 'casl',
  classify(error: ObjectLike) {
    if (safeGetString(error, 'name', 32) !== 'ForbiddenError') return undefined;
    if (safeGet(error, 'ability') === undefined || typeof safeGet(error, 'action') !== 'string') return undefined;
    return { category: 'forbidden', reason: 'casl:ForbiddenError' };
  },
};
