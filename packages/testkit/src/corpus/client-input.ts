/**
 * The client's own faults and the libraries that report them (JWT, zod/Ajv/Joi/Yup on the
 * request and on server-side data, http-errors/sensible, CASL, multer, rate limiters).
 */
import { createMongoAbility, ForbiddenError } from '@casl/ability';
import { Ajv } from 'ajv';
import createError from 'http-errors';
import Joi from 'joi';
import jwt from 'jsonwebtoken';
import multer from 'multer';
import { RateLimiterRes } from 'rate-limiter-flexible';
import * as yup from 'yup';
import { z } from 'zod';
import { type CorpusCase, SECRET } from './types.js';

/** Runs `fn` and returns what it throws (the library's own error object). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const CLIENT_BODY = { email: `not-an-email-${SECRET}`, items: [{ qty: 0 }] };
const ORDER_SCHEMA = z.object({ email: z.email(), items: z.array(z.object({ qty: z.number().min(1) })) });
const ROW_SCHEMA = z.object({ rows: z.array(z.object({ id: z.number(), password_hash: z.string() })) });
const ajv = new Ajv({ allErrors: true });
const validateOrder = ajv.compile({
  type: 'object',
  required: ['email', 'name'],
  properties: { email: { type: 'string', pattern: '^[^<]+@[a-z]+$' }, name: { type: 'string' } },
});
const validateUpstream = ajv.compile({
  type: 'object',
  properties: { ledger_secret_column: { type: 'string' } },
});

/** An Ajv-style `ValidationError` (what `$async` schemas throw) from a validate function's errors. */
function ajvError(validate: ((data: unknown) => boolean) & { errors?: unknown }, data: unknown): Error {
  validate(data);
  return Object.assign(new Error(`validation failed ${SECRET}`), {
    ajv: true,
    validation: true,
    errors: validate.errors,
  });
}

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
  {
    name: 'zod on the request body',
    family: 'zod',
    make: () => ORDER_SCHEMA.safeParse(CLIENT_BODY).error,
    category: 'validation',
    forbidden: [SECRET, 'Invalid email'],
    input: CLIENT_BODY,
  },
  {
    name: 'zod on a database row',
    family: 'zod',
    make: () => ROW_SCHEMA.safeParse({ rows: [{ id: 1, password_hash: null }] }).error,
    category: 'internal',
    forbidden: ['password_hash', 'rows'],
    input: CLIENT_BODY,
  },
  {
    name: 'Ajv on the request body',
    family: 'ajv',
    make: () => ajvError(validateOrder, { email: `<script>${SECRET}` }),
    category: 'validation',
    forbidden: [SECRET, '<script>', '^[^<]+@'],
    input: { email: `<script>${SECRET}` },
  },
  {
    name: 'Ajv on an upstream answer',
    family: 'ajv',
    make: () => ajvError(validateUpstream, { ledger_secret_column: 12 }),
    category: 'internal',
    forbidden: ['ledger_secret_column', SECRET],
    input: CLIENT_BODY,
  },
  {
    name: 'Joi on the request body',
    family: 'joi',
    make: () => Joi.object({ email: Joi.string().email() }).validate({ email: `x-${SECRET}` }).error,
    category: 'validation',
    forbidden: [SECRET, 'must be a valid email'],
    input: { email: `x-${SECRET}` },
  },
  {
    name: 'Joi on server config',
    family: 'joi',
    make: () => Joi.object({ dbPassword: Joi.string().min(32) }).validate({ dbPassword: SECRET }).error,
    category: 'internal',
    forbidden: [SECRET, 'dbPassword'],
    input: CLIENT_BODY,
  },
  {
    name: 'Yup on the request body',
    family: 'yup',
    make: () =>
      thrownBy(() => yup.object({ age: yup.number().min(18) }).validateSync({ age: 3 }, { abortEarly: false })),
    category: 'validation',
    forbidden: ['must be greater than or equal'],
    input: { age: 3 },
  },
  {
    name: 'Yup on a stored profile',
    family: 'yup',
    make: () =>
      thrownBy(() => yup.object({ ssn_encrypted: yup.string().required() }).validateSync({}, { abortEarly: false })),
    category: 'internal',
    forbidden: ['ssn_encrypted'],
    input: { unrelated: true },
  },
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
