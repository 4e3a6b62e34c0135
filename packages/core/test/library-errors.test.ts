/**
 * Errors popular libraries throw (testkit's `LIBRARY_VALUES`: axios, got, undici, node-fetch,
 * gaxios, ioredis, Sequelize, Drizzle, MongoDB, better-sqlite3, Prisma, jsonwebtoken, jose,
 * http-errors, Boom, @fastify/error, the AWS SDK, Stripe, class-validator) through `capture` and
 * the default redactor: the expected category (an upstream's status is never the client's), nothing
 * of the URL, host, header, cookie, SQL, document or library text in anything public, and a
 * redacted record that keeps the library's name and code.
 */
import { LIBRARY_FORBIDDEN, LIBRARY_VALUES, leaksIn, REDACTABLE_SECRET } from '@faultline/testkit';
import { describe, expect, it } from 'vitest';
import { capture, createRedactor, publicView, renderEnvelope, renderProblem } from './support/source.js';

describe('library errors through capture', () => {
  it.each(Object.entries(LIBRARY_VALUES))('%s', (_name, library) => {
    const thrown = library.make();
    const fault = capture(thrown, {});
    expect(fault.category).toBe(library.category);
    const visible = [renderProblem(fault), renderEnvelope(fault), JSON.stringify(publicView(fault))].join('\n');
    expect(leaksIn(visible, { forbidden: LIBRARY_FORBIDDEN })).toEqual([]);
    const record = JSON.stringify(createRedactor().redact(thrown));
    expect(library.keep.filter((kept) => !record.includes(kept))).toEqual([]);
    expect(record).not.toContain(REDACTABLE_SECRET);
  });
});

describe('library shapes: what the category rests on', () => {
  const sequelize = (path: string, validatorKey: string) =>
    Object.assign(new Error('Validation error'), {
      name: 'SequelizeValidationError',
      errors: [{ message: 'x', type: 'Validation error', path, value: 'x', validatorKey }],
    });

  it("a Sequelize model validation is the client's only when its attribute is in the request's input", () => {
    const owned = capture(sequelize('email', 'isEmail'), { input: [{ email: 'not-an-email' }] });
    expect(owned.category).toBe('validation');
    expect(publicView(owned).fieldViolations).toEqual([{ pointer: '/email', detail: 'Has an invalid format.' }]);
    expect(capture(sequelize('email', 'isEmail'), { input: [{ name: 'x' }] }).category).toBe('internal');
    expect(capture(sequelize('email', 'isEmail'), {}).category).toBe('internal');
  });

  it('SQLite: a lock is a retryable conflict, node:sqlite is read by its extended result code', () => {
    const busy = capture(Object.assign(new Error('database is locked'), { name: 'SqliteError', code: 'SQLITE_BUSY' }));
    expect([busy.category, busy.internal.reason]).toEqual(['conflict', 'sqlite:SQLITE_BUSY']);
    const nodeSqlite = (errcode: number) =>
      capture(Object.assign(new Error('constraint failed'), { code: 'ERR_SQLITE_ERROR', errcode })).category;
    expect([nodeSqlite(2067), nodeSqlite(1555), nodeSqlite(787), nodeSqlite(1)]).toEqual([
      'conflict',
      'conflict',
      'validation',
      'internal',
    ]);
    // `SQLITE_*` codes without better-sqlite3's class name are not taken for SQLite.
    expect(capture(Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT_UNIQUE' })).category).toBe('internal');
  });

  it("an upstream's status maps the same whichever client or helper carried it", () => {
    const wreck = (statusCode: number) =>
      Object.assign(new Error('x'), {
        isBoom: true,
        output: { statusCode, headers: {} },
        data: { isResponseError: true },
      });
    const undici = (statusCode: number) =>
      Object.assign(new Error('x'), {
        code: 'UND_ERR_RESPONSE_STATUS_CODE',
        statusCode,
        status: statusCode,
        headers: {},
      });
    for (const [status, category] of [
      [401, 'internal'],
      [404, 'internal'],
      [429, 'unavailable'],
      [502, 'bad_gateway'],
      [503, 'unavailable'],
      [504, 'timeout'],
    ] as const) {
      expect([status, capture(wreck(status)).category, capture(undici(status)).category]).toEqual([
        status,
        category,
        category,
      ]);
    }
  });

  it('an AWS throttle by the SDK rule (name, 429 or $retryable.throttling) is unavailable, never a 429', () => {
    const aws = (name: string, httpStatusCode: number, extra: object = {}) =>
      capture(Object.assign(new Error('x'), { name, $fault: 'client', $metadata: { httpStatusCode }, ...extra }))
        .category;
    expect(aws('RequestThrottledException', 400)).toBe('unavailable');
    expect(aws('SomethingElse', 429)).toBe('unavailable');
    expect(aws('SomethingElse', 400, { $retryable: { throttling: true } })).toBe('unavailable');
    expect(aws('SomethingElse', 400, { $retryable: {} })).toBe('internal');
  });

  it("the record keeps a library's own `type` (node-fetch's, body-parser's) beside the class name", () => {
    const record = createRedactor().redact(
      Object.assign(new Error('x'), { name: 'FetchError', type: 'invalid-json' }),
    ) as Record<string, unknown>;
    expect([record.type, record.own_type]).toEqual(['FetchError', 'invalid-json']);
    const same = createRedactor().redact(Object.assign(new Error('x'), { type: 'Error' })) as Record<string, unknown>;
    expect(same.own_type).toBeUndefined();
  });
});

describe('MongoDB and Mongoose errors made by the libraries themselves', () => {
  it("a Mongoose validation is the client's (400, pointers) only when its paths are the request's input", async () => {
    const mongoose = await import('mongoose');
    const Account = new mongoose.Schema({
      email: { type: String, required: true, match: /@/ },
      age: { type: Number, min: 18 },
    });
    const model = mongoose.model('LibraryErrorsAccount', Account);
    const input = { email: 'not-an-email-USERVALUE', age: 3 };
    const thrown = await new model(input).validate().catch((error: unknown) => error);
    const owned = capture(thrown, { input: [input] });
    expect([owned.status, owned.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(publicView(owned).fieldViolations).toEqual([
      { pointer: '/email', detail: 'Does not match the expected pattern.' },
      { pointer: '/age', detail: 'Is below the minimum.' },
    ]);
    expect(capture(thrown, { input: [{ name: 'x' }] }).status).toBe(500);
    const visible = [renderProblem(owned), JSON.stringify(publicView(owned))].join('\n');
    expect(visible).not.toMatch(/USERVALUE|LibraryErrorsAccount|ValidatorError|minimum allowed/);
    // The record keeps which rule each path failed.
    const record = createRedactor().redact(thrown) as { errors: Record<string, Record<string, unknown>> };
    expect([record.errors.email?.kind, record.errors.age?.kind, record.errors.age?.path]).toEqual([
      'regexp',
      'min',
      'age',
    ]);
  });

  it('a duplicate key is 409 without the index, collection or value; the record keeps them', async () => {
    const { MongoServerError } = await import('mongodb');
    const thrown = new MongoServerError({
      message:
        'E11000 duplicate key error collection: shop.users index: username_1 dup key: { username: "ann-USERVALUE" }',
      code: 11000,
      codeName: 'DuplicateKey',
      keyPattern: { username: 1 },
      keyValue: { username: 'ann-USERVALUE' },
    });
    const fault = capture(thrown);
    expect([fault.status, fault.code]).toEqual([409, 'CONFLICT']);
    expect(renderProblem(fault)).not.toMatch(/USERVALUE|username|shop\.users|E11000/);
    const record = createRedactor().redact(thrown) as Record<string, unknown>;
    expect([record.codeName, record.keyPattern]).toEqual(['DuplicateKey', { username: 1 }]);
  });
});
