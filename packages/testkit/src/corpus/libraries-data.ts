/**
 * Library errors of data layers (ioredis, Sequelize, Drizzle, MongoDB bulk writes, better-sqlite3,
 * Prisma), auth (jsonwebtoken, jose) and validation (class-validator). Part of `LIBRARY_VALUES`
 * (libraries.ts).
 */
import jwt from 'jsonwebtoken';
import { REDACTABLE_SECRET } from './extreme-text.js';
import { SQL, value } from './library-parts.js';
import type { NativeValue } from './native.js';
import { classInstance, errorLike, SECRET, thrownBy } from './types.js';

/** A jose error (`JOSEError` subclasses): `code` and, for claim failures, the token's `payload`. */
function jose(name: string, code: string, extra: Record<string, unknown> = {}): Error {
  return classInstance(name, `${code} for payments.internal ${SECRET}`, { code, ...extra });
}

/** The data layer, auth and validation values, by name. */
export const DATA_LIBRARY_VALUES: Readonly<Record<string, NativeValue>> = {
  'ioredis ReplyError WRONGTYPE': value(
    () =>
      errorLike('ReplyError', 'WRONGTYPE Operation against a key holding the wrong kind of value', {
        command: { name: 'hset', args: [`session:${SECRET}`, 'state', SECRET] },
      }),
    'internal',
    ['ReplyError', 'WRONGTYPE', 'hset'],
  ),
  'sequelize ValidationError on a server-built row': value(
    () =>
      classInstance('SequelizeValidationError', `Validation isEmail on users_private.contact failed ${SECRET}`, {
        name: 'SequelizeValidationError',
        errors: [
          {
            message: 'Validation isEmail on contact failed',
            type: 'Validation error',
            path: 'contact',
            value: SECRET,
            validatorKey: 'isEmail',
          },
        ],
      }),
    'internal',
    ['SequelizeValidationError'],
  ),
  'sequelize UniqueConstraintError with fields and original': value(
    () => {
      const pg = errorLike('error', `duplicate key value violates unique constraint "users_private_email_key"`, {
        code: '23505',
        severity: 'ERROR',
        detail: `Key (email)=(${SECRET}) already exists.`,
        table: 'users_private',
      });
      return classInstance('SequelizeUniqueConstraintError', 'Validation error', {
        name: 'SequelizeUniqueConstraintError',
        fields: { email: SECRET },
        sql: SQL,
        parent: pg,
        original: pg,
        errors: [{ message: 'email must be unique', path: 'email', value: SECRET, origin: 'DB' }],
      });
    },
    'conflict',
    ['SequelizeUniqueConstraintError', '23505'],
  ),
  'drizzle DrizzleQueryError wrapping pg 23505': value(
    () =>
      classInstance('DrizzleQueryError', `Failed query: ${SQL}\nparams: a@b.c,${SECRET}`, {
        query: SQL,
        params: ['a@b.c', SECRET],
        cause: errorLike('error', 'duplicate key value violates unique constraint', {
          code: '23505',
          severity: 'ERROR',
          table: 'users_private',
        }),
      }),
    'conflict',
    ['DrizzleQueryError', '23505'],
  ),
  'mongodb MongoBulkWriteError E11000 with the document': value(
    () =>
      classInstance(
        'MongoBulkWriteError',
        `E11000 duplicate key error collection: shop.users_private dup key: { email: "${SECRET}" }`,
        {
          code: 11000,
          writeErrors: [
            {
              err: {
                index: 0,
                code: 11000,
                errmsg: `E11000 dup key: { email: "${SECRET}" }`,
                op: { email: SECRET, password: REDACTABLE_SECRET },
              },
            },
          ],
          result: { insertedCount: 0 },
          errorLabelSet: new Set(),
        },
      ),
    'conflict',
    ['MongoBulkWriteError', '11000'],
  ),
  'better-sqlite3 SQLITE_CONSTRAINT_UNIQUE': value(
    () =>
      classInstance('SqliteError', 'UNIQUE constraint failed: users_private.email', {
        code: 'SQLITE_CONSTRAINT_UNIQUE',
      }),
    'conflict',
    ['SqliteError', 'SQLITE_CONSTRAINT_UNIQUE'],
  ),
  'better-sqlite3 SQLITE_CONSTRAINT_NOTNULL': value(
    () =>
      classInstance('SqliteError', 'NOT NULL constraint failed: users_private.email', {
        code: 'SQLITE_CONSTRAINT_NOTNULL',
      }),
    'validation',
    ['SQLITE_CONSTRAINT_NOTNULL'],
  ),
  'prisma PrismaClientValidationError': value(
    () =>
      classInstance(
        'PrismaClientValidationError',
        `\nInvalid \`prisma.users_private.create()\` invocation:\n{ data: { email: "${SECRET}", pw: "${SECRET}" } }\nArgument \`name\` is missing.`,
        { clientVersion: '6.2.1' },
      ),
    'internal',
    ['PrismaClientValidationError'],
  ),
  'prisma PrismaClientInitializationError with the URL': value(
    () =>
      classInstance(
        'PrismaClientInitializationError',
        `Can't reach database server at postgres://app:${REDACTABLE_SECRET}@10.9.8.7:5432/users_private`,
        { clientVersion: '6.2.1', errorCode: 'P1001', retryable: undefined },
      ),
    'unavailable',
    ['PrismaClientInitializationError', 'P1001'],
  ),
  'prisma PrismaClientRustPanicError': value(
    () =>
      classInstance('PrismaClientRustPanicError', `PANIC: called Option::unwrap() on users_private ${SECRET}`, {
        clientVersion: '6.2.1',
      }),
    'internal',
    ['PrismaClientRustPanicError'],
  ),
  'jsonwebtoken NotBeforeError': value(
    () => thrownBy(() => jwt.verify(jwt.sign({ sub: SECRET }, SECRET, { notBefore: 3600 }), SECRET)),
    'unauthenticated',
    ['NotBeforeError'],
  ),
  'jose JWTExpired with its payload': value(
    () =>
      jose('JWTExpired', 'ERR_JWT_EXPIRED', {
        claim: 'exp',
        reason: 'check_failed',
        payload: { sub: SECRET, email: `${SECRET}@payments.internal` },
      }),
    'unauthenticated',
    ['ERR_JWT_EXPIRED'],
  ),
  'jose JWSSignatureVerificationFailed': value(
    () => jose('JWSSignatureVerificationFailed', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'),
    'unauthenticated',
    ['ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
  ),
  'jose JOSEAlgNotAllowed (the token names an alg not allowed)': value(
    () => jose('JOSEAlgNotAllowed', 'ERR_JOSE_ALG_NOT_ALLOWED'),
    'unauthenticated',
    ['ERR_JOSE_ALG_NOT_ALLOWED'],
  ),
  'jose JWKSInvalid (the remote key set is malformed)': value(
    () => jose('JWKSInvalid', 'ERR_JWKS_INVALID'),
    'bad_gateway',
    ['ERR_JWKS_INVALID'],
  ),
  'class-validator errors array': value(
    () => [
      {
        target: { email: SECRET, password: REDACTABLE_SECRET },
        property: 'email',
        value: SECRET,
        constraints: { isEmail: `email ${SECRET} must be an email` },
        children: [],
      },
    ],
    'internal',
    [],
  ),
};
