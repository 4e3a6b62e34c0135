/**
 * The client's own faults and the libraries that report them (JWT, the schema validators of
 * {@link VALIDATOR_CASES}, http-errors/sensible, CASL, multer, rate limiters, body parsers).
 */
import { createMongoAbility, ForbiddenError } from '@casl/ability';
import createError from 'http-errors';
import jwt from 'jsonwebtoken';
import multer from 'multer';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { type CorpusCase, SECRET, thrownBy } from './types.js';
import { VALIDATOR_CASES } from './validators.js';

/** Every client-input case. */
export const CLIENT_INPUT_CASES: readonly CorpusCase[] = [
  {
    name: 'jsonwebtoken expired',
    family: 'jwt',
    make: () => thrownBy(() => jwt.verify(jwt.sign({ sub: 'admin' }, SECRET, { expiresIn: -10 }), SECRET)),
    category: 'unauthenticated',
    forbidden: ['jwt expired', 'expiredAt'],
  },
  {
    name: 'jsonwebtoken bad signature',
    family: 'jwt',
    make: () => thrownBy(() => jwt.verify(jwt.sign({ sub: 'x' }, 'other'), SECRET)),
    category: 'unauthenticated',
    forbidden: ['invalid signature'],
  },
  {
    name: 'jose ERR_JWT_CLAIM_VALIDATION_FAILED',
    family: 'jwt',
    make: () =>
      Object.assign(new Error(`"aud" claim check failed: expected internal-admin-api ${SECRET}`), {
        code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
        claim: 'aud',
      }),
    category: 'unauthenticated',
    forbidden: [SECRET, 'internal-admin-api'],
  },
  ...VALIDATOR_CASES,
  ...([400, 401, 403, 404, 405, 409, 410, 412, 413, 415, 422, 429] as const).map((status) => ({
    name: `http-errors ${status}`,
    family: 'http-errors',
    make: () => createError(status, `order 42 of tenant acme-${SECRET} in table orders_private`),
    category: (
      {
        400: 'validation',
        401: 'unauthenticated',
        403: 'forbidden',
        404: 'not_found',
        405: 'method_not_allowed',
        409: 'conflict',
        410: 'not_found',
        412: 'precondition_failed',
        413: 'payload_too_large',
        415: 'unsupported_media_type',
        422: 'validation',
        429: 'rate_limited',
      } as const
    )[status],
    forbidden: [SECRET, 'orders_private', 'acme'],
  })),
  {
    name: 'http-errors 500 with expose forced',
    family: 'http-errors',
    make: () => Object.assign(createError(500, `pool exhausted at db.internal ${SECRET}`), { expose: true }),
    category: 'internal',
    forbidden: [SECRET, 'db.internal'],
  },
  {
    name: 'plain error with statusCode 404',
    family: 'status',
    make: () => Object.assign(new Error(`no row in orders_private for ${SECRET}`), { statusCode: 404 }),
    category: 'not_found',
    forbidden: [SECRET, 'orders_private'],
  },
  {
    name: 'CASL ForbiddenError',
    family: 'casl',
    make: () =>
      thrownBy(() =>
        ForbiddenError.from(createMongoAbility([]))
          .setMessage(`cannot read Payroll ${SECRET}`)
          .throwUnlessCan('read', 'Payroll'),
      ),
    category: 'forbidden',
    forbidden: [SECRET, 'Payroll'],
  },
  {
    name: 'multer LIMIT_FILE_SIZE',
    family: 'multer',
    make: () => new multer.MulterError('LIMIT_FILE_SIZE', `avatar-${SECRET}`),
    category: 'payload_too_large',
    forbidden: [SECRET, 'File too large'],
  },
  {
    name: 'multer LIMIT_UNEXPECTED_FILE',
    family: 'multer',
    make: () => new multer.MulterError('LIMIT_UNEXPECTED_FILE', `field-${SECRET}`),
    category: 'validation',
    forbidden: [SECRET, 'Unexpected field'],
  },
  {
    name: 'rate-limiter-flexible rejection',
    family: 'rate-limit',
    make: () => new RateLimiterRes(0, 4200, 11, false),
    category: 'rate_limited',
    forbidden: ['msBeforeNext'],
  },
  {
    name: 'fastify rate-limit error',
    family: 'rate-limit',
    make: () =>
      Object.assign(new Error(`Rate limit exceeded, retry in 1 minute ${SECRET}`), {
        statusCode: 429,
        code: 'FST_ERR_RATE_LIMIT_EXCEEDED',
      }),
    category: 'rate_limited',
    forbidden: [SECRET, 'Rate limit exceeded'],
  },
  {
    name: 'body-parser entity.parse.failed',
    family: 'framework',
    make: () =>
      Object.assign(new SyntaxError(`Unexpected token } in JSON at position 7: {"a":${SECRET}}`), {
        type: 'entity.parse.failed',
        status: 400,
        body: `{"a":${SECRET}}`,
      }),
    category: 'validation',
    forbidden: [SECRET, 'Unexpected token'],
  },
  {
    name: 'body-parser entity.too.large',
    family: 'framework',
    make: () =>
      Object.assign(new Error('request entity too large'), {
        type: 'entity.too.large',
        status: 413,
        limit: 102400,
        length: 999999,
      }),
    category: 'payload_too_large',
    forbidden: ['request entity too large', '999999'],
  },
  {
    name: 'bare JSON.parse SyntaxError (upstream body)',
    family: 'framework',
    make: () => thrownBy(() => JSON.parse(`{"ledger": ${SECRET}`)),
    category: 'internal',
    forbidden: [SECRET, 'Unexpected token'],
  },
];
