import { createServer } from 'node:net';
import { ServiceException } from '@smithy/smithy-client';
import { Ajv } from 'ajv';
import { AxiosError } from 'axios';
import jwt from 'jsonwebtoken';
import { MongoNetworkError, MongoServerError } from 'mongodb';
import { DatabaseError } from 'pg-protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type Category,
  type Classifier,
  capture,
  defineCatalog,
  FaultError,
  GrpcStatus,
  isUuid,
} from './support/source.js';

function pgError(code: string, message: string, extra: Record<string, string> = {}): DatabaseError {
  const error = new DatabaseError(message, message.length, 'error');
  Object.assign(error, { code, severity: 'ERROR', ...extra });
  return error;
}

function nodeError(code: string, message = `connect ${code} 10.1.2.3:5432`): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, errno: -111, syscall: 'connect', address: '10.1.2.3', port: 5432 });
}

/** A closed loopback port: listen, read the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function categoryOf(thrown: unknown): Category {
  return capture(thrown).category;
}

describe('capture: PostgreSQL (pg DatabaseError)', () => {
  it.each([
    ['23505', 'conflict'],
    ['23502', 'validation'],
    ['23514', 'validation'],
    ['22P02', 'validation'],
    ['22001', 'validation'],
    ['40001', 'conflict'],
    ['40P01', 'conflict'],
    ['57014', 'timeout'],
    ['08006', 'unavailable'],
    ['08001', 'unavailable'],
    ['57P01', 'unavailable'],
    ['57P03', 'unavailable'],
    ['53300', 'unavailable'],
    ['28P01', 'internal'],
    ['28000', 'internal'],
    ['42P01', 'internal'],
    ['42601', 'internal'],
    ['XX000', 'internal'],
  ] as const)('SQLSTATE %s -> %s', (code, category) => {
    expect(categoryOf(pgError(code, 'relation "users" ... password=hunter2'))).toBe(category);
  });

  it('tells a delete of a referenced row (conflict) from a missing reference (validation)', () => {
    const onDelete = pgError('23503', 'update or delete on table "orders" violates foreign key constraint', {
      detail: 'Key (id)=(7) is still referenced from table "order_items".',
    });
    const onInsert = pgError('23503', 'insert or update on table "order_items" violates foreign key constraint', {
      detail: 'Key (order_id)=(7) is not present in table "orders".',
    });
    expect(categoryOf(onDelete)).toBe('conflict');
    expect(categoryOf(onInsert)).toBe('validation');
  });

  it('maps retryable conflicts to gRPC ABORTED and unique violations to ALREADY_EXISTS', () => {
    expect(capture(pgError('40001', 'could not serialize access')).grpcCode).toBe(GrpcStatus.ABORTED);
    expect(capture(pgError('40001', 'could not serialize access')).retryable).toBe(true);
    expect(capture(pgError('23505', 'duplicate key')).grpcCode).toBe(GrpcStatus.ALREADY_EXISTS);
  });

  it('records the reason for the logs but shows nothing of the driver error', () => {
    const fault = capture(pgError('23505', 'duplicate key value violates unique constraint "users_email_key"'));
    expect(fault.internal.reason).toBe('pg:23505');
    expect(fault.internal.classifier).toBe('pg');
    expect(fault.internal.errorType).toBe('DatabaseError');
    expect(JSON.stringify({ ...fault, internal: undefined, definition: undefined })).not.toMatch(
      /users|unique|duplicate/,
    );
  });
});

describe('capture: other drivers and ORMs', () => {
  it.each<[string, unknown, Category]>([
    [
      'mysql2 ER_DUP_ENTRY',
      Object.assign(new Error("Duplicate entry 'a@b.c' for key 'users.email'"), {
        code: 'ER_DUP_ENTRY',
        errno: 1062,
        sqlState: '23000',
        sql: 'INSERT INTO users ...',
      }),
      'conflict',
    ],
    [
      'mysql2 deadlock',
      Object.assign(new Error('Deadlock'), { code: 'ER_LOCK_DEADLOCK', errno: 1213, sqlState: '40001' }),
      'conflict',
    ],
    [
      'mysql2 access denied',
      Object.assign(new Error("Access denied for user 'app'@'10.0.0.5'"), {
        code: 'ER_ACCESS_DENIED_ERROR',
        errno: 1045,
        sqlState: '28000',
      }),
      'internal',
    ],
    [
      'mysql2 lost connection',
      Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }),
      'unavailable',
    ],
    [
      'mysql2 unknown code with data SQLSTATE',
      Object.assign(new Error('x'), { code: 'ER_SOMETHING', errno: 9999, sqlState: '22003' }),
      'validation',
    ],
    [
      'Prisma P2002',
      Object.assign(new Error('Unique constraint failed on the fields: (`email`)'), {
        name: 'PrismaClientKnownRequestError',
        code: 'P2002',
        clientVersion: '6.0.0',
        meta: { target: ['email'] },
      }),
      'conflict',
    ],
    [
      'Prisma P2025',
      Object.assign(new Error('No record was found'), {
        name: 'PrismaClientKnownRequestError',
        code: 'P2025',
        clientVersion: '6.0.0',
      }),
      'not_found',
    ],
    [
      'Prisma P2003',
      Object.assign(new Error('Foreign key constraint failed'), {
        name: 'PrismaClientKnownRequestError',
        code: 'P2003',
        clientVersion: '6.0.0',
      }),
      'validation',
    ],
    [
      'Prisma P2034',
      Object.assign(new Error('Transaction failed due to a write conflict'), {
        name: 'PrismaClientKnownRequestError',
        code: 'P2034',
        clientVersion: '6.0.0',
      }),
      'conflict',
    ],
    [
      'Prisma P1001',
      Object.assign(new Error("Can't reach database server at db.internal:5432"), {
        name: 'PrismaClientInitializationError',
        errorCode: 'P1001',
        clientVersion: '6.0.0',
      }),
      'unavailable',
    ],
    [
      'Prisma P1000 (our credentials)',
      Object.assign(new Error('Authentication failed'), {
        name: 'PrismaClientInitializationError',
        errorCode: 'P1000',
        clientVersion: '6.0.0',
      }),
      'internal',
    ],
    [
      'Prisma validation (developer bug)',
      Object.assign(new Error('Unknown argument `emial`'), {
        name: 'PrismaClientValidationError',
        clientVersion: '6.0.0',
      }),
      'internal',
    ],
    [
      'Sequelize unique',
      Object.assign(new Error('Validation error'), { name: 'SequelizeUniqueConstraintError' }),
      'conflict',
    ],
    [
      'Sequelize connection refused',
      Object.assign(new Error('connect ECONNREFUSED'), { name: 'SequelizeConnectionRefusedError' }),
      'unavailable',
    ],
    [
      'TypeORM EntityNotFoundError',
      Object.assign(new Error('Could not find any entity of type "User"'), { name: 'EntityNotFoundError' }),
      'not_found',
    ],
    [
      'Knex pool timeout',
      Object.assign(new Error('Knex: Timeout acquiring a connection'), { name: 'KnexTimeoutError' }),
      'unavailable',
    ],
    ['ioredis NOAUTH', Object.assign(new Error('NOAUTH Authentication required.'), { name: 'ReplyError' }), 'internal'],
    [
      'ioredis LOADING',
      Object.assign(new Error('LOADING Redis is loading the dataset in memory'), { name: 'ReplyError' }),
      'unavailable',
    ],
    [
      'ioredis MaxRetriesPerRequestError',
      Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }),
      'unavailable',
    ],
  ])('%s', (_label, thrown, category) => {
    expect(categoryOf(thrown)).toBe(category);
  });

  it('follows a TypeORM QueryFailedError to its pg driverError', () => {
    const driverError = pgError('23505', 'duplicate key');
    const wrapped = Object.assign(new Error('duplicate key'), {
      name: 'QueryFailedError',
      query: 'INSERT',
      driverError,
    });
    expect(categoryOf(wrapped)).toBe('conflict');
  });

  it('follows a Sequelize database error to its original', () => {
    const original = pgError('57014', 'canceling statement due to statement timeout');
    const wrapped = Object.assign(new Error('canceling statement'), {
      name: 'SequelizeDatabaseError',
      parent: original,
      original,
    });
    expect(categoryOf(wrapped)).toBe('timeout');
  });

  it('classifies real MongoDB driver errors', () => {
    const duplicate = new MongoServerError({
      message: 'E11000 duplicate key error collection: shop.users index: email_1',
      code: 11000,
    });
    expect(categoryOf(duplicate)).toBe('conflict');
    expect(categoryOf(new MongoServerError({ message: 'operation exceeded time limit', code: 50 }))).toBe('timeout');
    expect(categoryOf(new MongoServerError({ message: 'Authentication failed.', code: 18 }))).toBe('internal');
    expect(categoryOf(new MongoNetworkError('connection 1 to 10.0.0.7:27017 closed'))).toBe('unavailable');
  });
});

describe('capture: network, cancellation and upstream calls', () => {
  it.each<[string, Category]>([
    ['ECONNREFUSED', 'unavailable'],
    ['ENOTFOUND', 'unavailable'],
    ['EAI_AGAIN', 'unavailable'],
    ['ETIMEDOUT', 'timeout'],
    ['ECONNRESET', 'bad_gateway'],
    ['EPIPE', 'bad_gateway'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
  ])('errno %s -> %s', (code, category) => {
    expect(categoryOf(nodeError(code))).toBe(category);
  });

  it('classifies a real fetch to a closed loopback port as unavailable (through the cause)', async () => {
    const port = await closedPort();
    const error = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(categoryOf(error)).toBe('unavailable');
  });

  it('classifies AbortSignal.timeout as timeout and a plain abort as cancelled', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const timedOut = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(50) }).catch(
        (e: unknown) => e,
      );
      expect(categoryOf(timedOut)).toBe('timeout');
      const controller = new AbortController();
      controller.abort();
      const aborted = await fetch(`http://127.0.0.1:${port}/`, { signal: controller.signal }).catch((e: unknown) => e);
      expect(categoryOf(aborted)).toBe('cancelled');
    } finally {
      silent.close();
    }
  });

  it('never passes an upstream 401/403 through as a client 401/403 (axios)', () => {
    const response = (status: number) => ({
      status,
      statusText: '',
      headers: {},
      config: {} as never,
      data: { error: 'invalid api key sk_live_123' },
    });
    const upstream = (status: number) =>
      new AxiosError('Request failed', 'ERR_BAD_REQUEST', undefined, undefined, response(status) as never);
    expect(categoryOf(upstream(401))).toBe('internal');
    expect(categoryOf(upstream(403))).toBe('internal');
    expect(categoryOf(upstream(404))).toBe('internal');
    expect(categoryOf(upstream(429))).toBe('unavailable');
    expect(categoryOf(upstream(500))).toBe('bad_gateway');
    expect(categoryOf(upstream(504))).toBe('timeout');
    expect(categoryOf(new AxiosError('timeout of 100ms exceeded', 'ECONNABORTED'))).toBe('timeout');
  });

  it('maps AWS SDK exceptions: credentials are internal, throttling is unavailable', () => {
    const aws = (name: string, fault: 'client' | 'server', httpStatusCode: number) =>
      new ServiceException({
        name,
        $fault: fault,
        $metadata: { httpStatusCode },
        message: `${name}: arn:aws:iam::123456789012:role/app`,
      });
    expect(categoryOf(aws('AccessDeniedException', 'client', 403))).toBe('internal');
    expect(categoryOf(aws('UnrecognizedClientException', 'client', 400))).toBe('internal');
    expect(categoryOf(aws('ExpiredTokenException', 'client', 400))).toBe('internal');
    expect(categoryOf(aws('ThrottlingException', 'client', 400))).toBe('unavailable');
    expect(categoryOf(aws('ConditionalCheckFailedException', 'client', 400))).toBe('conflict');
    expect(categoryOf(aws('InternalServerError', 'server', 500))).toBe('bad_gateway');
  });
});

describe('capture: the client credentials and validation libraries', () => {
  it('maps real jsonwebtoken failures of the client token to unauthenticated', () => {
    const expired = jwt.sign({ sub: 'u1', exp: Math.floor(Date.now() / 1000) - 60 }, 'k');
    const verify = (token: string, key: string) => {
      try {
        jwt.verify(token, key);
        return undefined;
      } catch (error) {
        return error;
      }
    };
    expect(categoryOf(verify(expired, 'k'))).toBe('unauthenticated');
    expect(categoryOf(verify(jwt.sign({ sub: 'u1' }, 'other'), 'k'))).toBe('unauthenticated');
    expect(categoryOf(verify('not.a.jwt', 'k'))).toBe('unauthenticated');
    expect(
      categoryOf(Object.assign(new Error('"exp" claim timestamp check failed'), { code: 'ERR_JWT_EXPIRED' })),
    ).toBe('unauthenticated');
  });

  it('turns a real zod error into field pointers with generic text only', () => {
    const schema = z.object({ email: z.string().email(), items: z.array(z.object({ qty: z.number().min(1) })) });
    const body = { email: 'not-an-email<script>', items: [{ qty: 0 }] };
    const result = schema.safeParse(body);
    expect(result.success).toBe(false);
    const fault = capture(result.error, { input: [body] });
    expect(fault.category).toBe('validation');
    expect(fault.fieldViolations).toEqual([
      { pointer: '/email', detail: 'Has an invalid format.' },
      { pointer: '/items/0/qty', detail: 'Is below the minimum.' },
    ]);
  });

  it('never names a submitted key: a zod record key stops the pointer', () => {
    const schema = z.record(z.string(), z.number());
    const result = schema.safeParse({ 'evil key <img src=x>': 'x' });
    // A verdict on the whole document of an object body is not provably the client's: internal, nothing named.
    const fault = capture(result.error, { input: [{ 'evil key <img src=x>': 'x' }] });
    expect(fault.category).toBe('internal');
    expect(fault.fieldViolations).toEqual([]);
    expect(capture(z.number().safeParse('x').error, { input: ['x'] }).fieldViolations).toEqual([
      { pointer: '', detail: 'Has the wrong type.' },
    ]);
  });

  it('turns a real Ajv ValidationError into pointers; required names the schema property', () => {
    const ajv = new Ajv({ allErrors: true });
    const validate = ajv.compile({
      $async: true,
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: { name: { type: 'string', pattern: '^[a-z]+$' }, age: { type: 'integer', minimum: 0 } },
    });
    const body = { age: -1, 'secret-extra-key': 1 };
    return validate(body).then(
      () => expect.unreachable(),
      (error: unknown) => {
        const fault = capture(error, { input: [null, body] });
        expect(fault.category).toBe('validation');
        expect(fault.fieldViolations).toEqual(
          expect.arrayContaining([
            { pointer: '/name', detail: 'Is required.' },
            { pointer: '/age', detail: 'Is below the minimum.' },
          ]),
        );
        expect(JSON.stringify(fault.fieldViolations)).not.toContain('secret-extra-key');
      },
    );
  });

  it('maps body-parser errors, but leaves a bare JSON.parse SyntaxError internal', () => {
    let syntax: unknown;
    try {
      JSON.parse('{"a":');
    } catch (error) {
      syntax = error;
    }
    expect(categoryOf(syntax)).toBe('internal');
    expect(capture(syntax).internal.reason).toBe('json:syntax');
    expect(
      categoryOf(Object.assign(new SyntaxError('Unexpected end'), { type: 'entity.parse.failed', status: 400 })),
    ).toBe('validation');
    expect(categoryOf(Object.assign(new Error('too large'), { type: 'entity.too.large' }))).toBe('payload_too_large');
  });
});

describe('capture: trust', () => {
  it.each<[string, unknown]>([
    ['foreign numeric code', Object.assign(new Error('x'), { code: 404 })],
    ['foreign category field', Object.assign(new Error('x'), { category: 'not_found', code: 'NOT_FOUND' })],
    ['foreign 5xx status', Object.assign(new Error('db down at 10.0.0.5'), { status: 503, expose: true })],
    ['status out of range', { status: 1234, message: 'odd' }],
    ['status as a string', { status: '404', message: 'odd' }],
  ])('ignores %s', (_label, thrown) => {
    const fault = capture(thrown);
    expect(fault.category).toBe('internal');
    expect(fault.status).toBe(500);
  });

  it.each<[string, unknown, string]>([
    [
      'http-errors 401 with expose',
      Object.assign(new Error('Invalid token for user admin'), { status: 401, statusCode: 401, expose: true }),
      'unauthenticated',
    ],
    ['plain object with status 400', { status: 400, message: 'bad' }, 'validation'],
    ['statusCode 404', Object.assign(new Error('order 42 missing in table orders'), { statusCode: 404 }), 'not_found'],
    ['status 409', Object.assign(new Error('x'), { status: 409 }), 'conflict'],
    ['status 406 (a foreign Accept refusal)', Object.assign(new Error('x'), { status: 406 }), 'not_acceptable'],
    ['status 429', Object.assign(new Error('x'), { status: 429 }), 'rate_limited'],
    ['status 418 (any other 4xx)', Object.assign(new Error('x'), { status: 418 }), 'validation'],
    ['status 414', Object.assign(new Error('x'), { status: 414 }), 'uri_too_long'],
  ])('takes the category (never the text) of a foreign 4xx: %s', (_label, thrown, category) => {
    const fault = capture(thrown);
    expect(fault.category).toBe(category);
    expect(fault.message).not.toMatch(/admin|orders|bad/);
  });

  it('maps an HTTP client or SDK error carrying status as an upstream answer, never the client 401/403', () => {
    const stripeLike = Object.assign(new Error('Invalid API Key provided: sk_live_x'), {
      statusCode: 401,
      headers: { 'request-id': 'req_1' },
    });
    const octokitLike = Object.assign(new Error('Bad credentials'), { status: 403, request: {}, response: {} });
    expect(capture(stripeLike).category).toBe('internal');
    expect(capture(octokitLike).category).toBe('internal');
    const httpErrors = Object.assign(new Error('x'), {
      status: 401,
      expose: true,
      headers: { 'WWW-Authenticate': 'Basic' },
    });
    expect(capture(httpErrors).category).toBe('unauthenticated');
  });

  it('trusts a FaultError anywhere in the cause chain', () => {
    const errors = defineCatalog({ TRUST_ITEM_GONE: { category: 'not_found', message: 'The item is gone.' } });
    const wrapped = new Error('handler failed', {
      cause: new Error('service failed', { cause: errors.TRUST_ITEM_GONE() }),
    });
    const fault = capture(wrapped);
    expect(fault.code).toBe('TRUST_ITEM_GONE');
    expect(fault.internal.thrown).toBe(wrapped);
  });

  it('lets an adapter classifier name a defined code, and ignores unknown ones', () => {
    const classifiers: Classifier[] = [
      {
        name: 'fw',
        classify: (e) =>
          (e as { fw?: string }).fw === 'big'
            ? { category: 'payload_too_large', reason: 'fw:big', code: 'PAYLOAD_TOO_LARGE' }
            : undefined,
      },
      {
        name: 'fw2',
        classify: (e) =>
          (e as { fw?: string }).fw === 'odd'
            ? { category: 'validation', reason: 'fw:odd', code: 'NOT_DEFINED_ANYWHERE' }
            : undefined,
      },
    ];
    expect(capture({ fw: 'big' }, { classifiers }).code).toBe('PAYLOAD_TOO_LARGE');
    expect(capture({ fw: 'odd' }, { classifiers }).code).toBe('VALIDATION_FAILED');
  });

  it('skips a classifier that throws', () => {
    const classifiers: Classifier[] = [
      {
        name: 'boom',
        classify: () => {
          throw new Error('boom');
        },
      },
    ];
    expect(capture(pgError('23505', 'dup'), { classifiers }).category).toBe('conflict');
  });
});

describe('capture: aggregate errors and chains', () => {
  it('classifies an AggregateError whose members agree', () => {
    const aggregate = new AggregateError([nodeError('ECONNREFUSED'), nodeError('ENOTFOUND')], 'all failed');
    expect(categoryOf(aggregate)).toBe('unavailable');
  });

  it('falls back to internal when members disagree', () => {
    const aggregate = new AggregateError([nodeError('ECONNREFUSED'), pgError('23505', 'dup')], 'mixed');
    const fault = capture(aggregate);
    expect(fault.category).toBe('internal');
    expect(fault.internal.reason).toBe('aggregate:mixed');
  });

  it('stops on cyclic cause chains', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.defineProperty(a, 'cause', { value: b });
    expect(categoryOf(a)).toBe('internal');
  });

  it('stops on very long chains without reaching the end', () => {
    let error: Error = pgError('23505', 'deep');
    for (let i = 0; i < 1000; i += 1) error = new Error(`level ${i}`, { cause: error });
    expect(categoryOf(error)).toBe('internal');
  });
});

describe('capture: hostile values never throw', () => {
  const hostile: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['string', 'db password is hunter2'],
    ['number', 42],
    ['bigint', 10n],
    ['symbol', Symbol('secret')],
    ['function', () => 1],
    [
      'throwing getters',
      Object.defineProperties(
        {},
        {
          name: {
            get: () => {
              throw new Error('x');
            },
          },
          code: {
            get: () => {
              throw new Error('y');
            },
          },
          cause: {
            get: () => {
              throw new Error('z');
            },
          },
        },
      ),
    ],
    [
      'hostile toString',
      {
        toString: () => {
          throw new Error('no');
        },
        [Symbol.toPrimitive]: () => {
          throw new Error('no');
        },
      },
    ],
    [
      'throwing Proxy',
      new Proxy(
        {},
        {
          get: () => {
            throw new Error('trap');
          },
          has: () => {
            throw new Error('trap');
          },
          getPrototypeOf: () => {
            throw new Error('trap');
          },
          ownKeys: () => {
            throw new Error('trap');
          },
        },
      ),
    ],
    [
      'revoked Proxy',
      (() => {
        const p = Proxy.revocable({}, {});
        p.revoke();
        return p.proxy;
      })(),
    ],
    [
      'errors getter that throws',
      Object.defineProperty(new AggregateError([]), 'errors', {
        get: () => {
          throw new Error('x');
        },
      }),
    ],
    [
      'huge errors array',
      Object.assign(new Error('x'), { errors: new Array(1_000_000).fill(nodeError('ECONNREFUSED')) }),
    ],
    ['null prototype', Object.create(null)],
  ];

  it.each(hostile)('%s -> internal 500 with a fresh UUID', (_label, thrown) => {
    const fault = capture(thrown);
    expect(['internal', 'unavailable']).toContain(fault.category);
    expect(isUuid(fault.id)).toBe(true);
  });

  it('keeps a trusted incoming request id and refuses anything else', () => {
    const id = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
    expect(capture(new Error('x'), { requestId: id }).id).toBe(id);
    const refused = capture(new Error('x'), { requestId: '"}<script>alert(1)</script>' });
    expect(refused.id).not.toContain('script');
    expect(isUuid(refused.id)).toBe(true);
    expect(refused.internal.rejectedRequestId).toBe('\\x22}<script>alert(1)</script>');
  });

  it('labels the thrown type safely', () => {
    expect(capture('x').internal.errorType).toBe('string');
    expect(capture(null).internal.errorType).toBe('null');
    expect(capture(new TypeError('x')).internal.errorType).toBe('TypeError');
    expect(capture({ name: 'a\nb' }).internal.errorType).toBe('Object');
  });

  it('reads the type label from the value only when asked, once, and never throws', () => {
    let reads = 0;
    class DatabaseError extends Error {}
    const thrown = new DatabaseError('x');
    Object.defineProperty(thrown, 'constructor', {
      get() {
        reads += 1;
        return DatabaseError;
      },
    });
    const fault = capture(thrown);
    const before = reads;
    expect(fault.internal.errorType).toBe('DatabaseError');
    expect(fault.internal.errorType).toBe('DatabaseError');
    expect(reads).toBe(before + 1);
    const hostile = new Proxy(new Error('x'), {
      get(target, key) {
        if (key === 'constructor' || key === 'name') throw new Error('trap');
        return Reflect.get(target, key);
      },
    });
    expect(capture(hostile).internal.errorType).toBe('Object');
  });

  it('does not change FaultError trust when the stack limit is zero', () => {
    const before = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      expect(capture(FaultError.of('forbidden')).status).toBe(403);
    } finally {
      Error.stackTraceLimit = before;
    }
  });
});

describe('capture: Mongoose errors with generic names', () => {
  it('recognises CastError and VersionError only with their Mongoose fields', () => {
    const cast = Object.assign(new Error('Cast to ObjectId failed for value "zzz"'), {
      name: 'CastError',
      kind: 'ObjectId',
      path: '_id',
      value: 'zzz',
    });
    expect(capture(cast, { input: [{ _id: 'zzz' }] }).category).toBe('validation');
    // A cast failure on data that is not in the request is the server's own.
    expect(categoryOf(cast)).toBe('internal');
    expect(categoryOf(Object.assign(new Error('x'), { name: 'CastError' }))).toBe('internal');
    const version = Object.assign(new Error('No matching document found'), {
      name: 'VersionError',
      version: 3,
      modifiedPaths: ['qty'],
    });
    expect(capture(version)).toMatchObject({ category: 'conflict', retryable: true });
    expect(categoryOf(Object.assign(new Error('x'), { name: 'VersionError' }))).toBe('internal');
  });
});
