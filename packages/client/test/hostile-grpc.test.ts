/**
 * A hostile gRPC server (real grpc-js on 127.0.0.1) answers with trailers no Faultline server
 * would send: `grpc-status-details-bin` written field by field (hostile reasons, huge messages,
 * `__proto__` metadata, thousands of violations, odd retry delays). A real grpc-js client gets
 * the `ServiceError`, and `decodeGrpcFault` holds it to the rules of every protocol.
 */
import { defineCatalog } from '@faultline/core';
import { jsonMethod } from '@faultline/testkit';
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGrpcFault } from '../src/grpc.js';
import { DECODE_LIMITS } from '../src/index.js';
import { type HostileStatus, statusBytes } from './support/status-bytes.js';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const RESOURCE_EXHAUSTED = 8;
const errors = defineCatalog({
  GRPC_TOO_MANY_ITEMS: { category: 'validation', message: 'At most {limit} items.', params: { limit: 'integer' } },
});
const HOSTILE_REASONS = ['constructor', '__proto__', 'toString', '<script>alert(1)</script>', 'A'.repeat(4096)];

/** The status each request name gets; `blob` overrides the encoded details. */
const ANSWERS: Record<string, HostileStatus & { blob?: Buffer }> = {
  foreignQuota: {
    code: RESOURCE_EXHAUSTED,
    reason: 'RATE_LIMIT_EXCEEDED',
    domain: 'googleapis.com',
    retryDelaySeconds: 30,
  },
  bareQuota: { code: RESOURCE_EXHAUSTED, retryDelaySeconds: 30 },
  tooLarge: { code: RESOURCE_EXHAUSTED, reason: 'MESSAGE_TOO_BIG' },
  negativeDelay: { code: 14, reason: 'UNAVAILABLE', retryDelaySeconds: -5 },
  hugeDelay: { code: 14, reason: 'UNAVAILABLE', retryDelaySeconds: 10n ** 15n },
  longMessage: { code: 3, reason: 'GRPC_BIG', message: 'm'.repeat(2048), requestId: ID },
  hostileParams: {
    code: 3,
    reason: 'GRPC_FREE',
    // Object.fromEntries makes `__proto__` an own key, as a hostile encoder would send it.
    metadata: Object.fromEntries([
      ['__proto__', 'x'],
      ['constructor', 'x'],
      ['toString', 'y'],
      ['long', 'v'.repeat(1000)],
      ['ok', 'fine'],
      ['requestId', ID],
    ]),
  },
  manyParams: {
    code: 3,
    reason: 'GRPC_FREE',
    metadata: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, String(i)])),
  },
  contradicting: { code: 3, reason: 'GRPC_TOO_MANY_ITEMS', metadata: { limit: 'DROP TABLE', extra: '1' } },
  manyViolations: {
    code: 3,
    reason: 'VALIDATION_FAILED',
    violations: Array.from({ length: 1000 }, (_, i) => ({ field: `f${i}`, description: 'Is required.' })),
  },
  badViolations: {
    code: 3,
    reason: 'VALIDATION_FAILED',
    violations: [
      { field: 'a', description: 'd'.repeat(1000) },
      { field: 'f'.repeat(1000), description: 'Is required.' },
      { field: 'a/b~c', description: '' },
      { field: 'items[0].a/b', description: 'Is required.' },
    ],
  },
  mismatchedCode: {
    code: 14,
    reason: 'UNAVAILABLE',
    message: 'pwned',
    blob: statusBytes({ code: 3, reason: 'VALIDATION_FAILED' }),
  },
  garbage: { code: 13, blob: Buffer.from('\u00ff\u00fe garbage, not protobuf', 'latin1') },
  outOfRange: { code: 99, reason: 'GRPC_ODD', message: 'Odd.' },
  bareOutOfRange: { code: 1234, blob: Buffer.alloc(0) },
  bidiText: {
    code: 3,
    reason: 'GRPC_FREE',
    message: 'Pay \u2066\u2067to\u2069 me',
    requestId: `${ID}\u202a`,
    metadata: { a: 'x\u2068', b: '\u202bz', c: 'a\u001b[31mred', ok: 'fine' },
    violations: [
      { field: 'a\u2069', description: 'Is required.' },
      { field: 'b', description: 'Is \u202crequired.' },
      { field: 'c', description: 'Is required.' },
    ],
  },
};
for (const [i, reason] of HOSTILE_REASONS.entries()) {
  ANSWERS[`reason${i}`] = { code: 6, reason, message: 'pwned', requestId: ID };
}

const Service = { call: jsonMethod('/hostile.S/Call') };
let server: Server;
let client: InstanceType<ReturnType<typeof makeGenericClientConstructor>>;
beforeAll(async () => {
  server = new Server();
  server.addService(Service, {
    call: (call: { request: { name: string } }, callback: (e: unknown) => void) => {
      const answer = ANSWERS[call.request.name] ?? { code: 13 };
      const metadata = new Metadata();
      metadata.set('grpc-status-details-bin', answer.blob ?? statusBytes(answer));
      metadata.set('x-request-id', ID);
      callback({ code: answer.code, details: answer.message ?? 'hostile', metadata });
    },
  } as unknown as UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  client = new (makeGenericClientConstructor(Service, 'S'))(`127.0.0.1:${port}`, credentials.createInsecure());
});
afterAll(() => {
  client.close();
  server.forceShutdown();
});

function call(name: string): Promise<ServiceError> {
  return new Promise((resolve) =>
    (client as unknown as { call: (...a: unknown[]) => void }).call({ name }, new Metadata(), (e: ServiceError) =>
      resolve(e),
    ),
  );
}

describe('hostile gRPC trailers', () => {
  it.each(HOSTILE_REASONS.map((r, i) => [r.slice(0, 30), i]))('reason %s is not conforming', async (_l, i) => {
    const error = await call(`reason${i}`);
    const fault = decodeGrpcFault(error, errors);
    expect(fault).toMatchObject({ conforming: false, format: 'unknown', category: 'conflict', code: 'CONFLICT' });
    expect(fault.message).not.toBe('pwned');
    expect(fault.requestId).toBe(ID);
  });

  it('a 100 KB reason is not conforming either (decoded from real grpc-js Metadata)', () => {
    const metadata = new Metadata();
    metadata.set('grpc-status-details-bin', statusBytes({ code: 6, reason: 'A'.repeat(100 * 1024) }));
    expect(decodeGrpcFault({ code: 6, metadata })).toMatchObject({ conforming: false, code: 'CONFLICT' });
  });

  it('details over 256 KiB are not decoded (grpc-js Metadata holds what it is given): the status code decides', () => {
    // 200 000 violations: 1.6 MB, about 200 ms and 20 MB to decode; a hostile 50 MB blob took seconds.
    const many = Array.from({ length: 200_000 }, () => ({ field: 'a', description: 'b' }));
    const metadata = new Metadata();
    metadata.set('grpc-status-details-bin', statusBytes({ code: 3, reason: 'VALIDATION_FAILED', violations: many }));
    metadata.set('x-request-id', ID);
    const started = Date.now();
    expect(decodeGrpcFault({ code: 3, metadata })).toMatchObject({
      conforming: false,
      format: 'unknown',
      category: 'validation',
      requestId: ID,
      fieldViolations: [],
    });
    expect(Date.now() - started).toBeLessThan(50);
    // Details of exactly 256 KiB (a long message, itself replaced by the generic one) still decode.
    const sized = (length: number) =>
      statusBytes({ code: 3, reason: 'VALIDATION_FAILED', message: 'm'.repeat(length) });
    let length = DECODE_LIMITS.statusDetails - sized(0).byteLength;
    while (sized(length).byteLength > DECODE_LIMITS.statusDetails) length -= 1;
    const atBound = new Metadata();
    atBound.set('grpc-status-details-bin', sized(length));
    expect(sized(length).byteLength).toBe(DECODE_LIMITS.statusDetails);
    expect(decodeGrpcFault({ code: 3, metadata: atBound })).toMatchObject({
      conforming: true,
      code: 'VALIDATION_FAILED',
    });
  });

  it('a foreign RESOURCE_EXHAUSTED with a 30 s RetryInfo is rate_limited and retryable', async () => {
    for (const name of ['foreignQuota', 'bareQuota']) {
      expect(decodeGrpcFault(await call(name))).toMatchObject({
        category: 'rate_limited',
        status: 429,
        retryable: true,
        retryAfter: 30,
      });
    }
    expect(decodeGrpcFault(await call('foreignQuota'))).toMatchObject({
      code: 'RATE_LIMIT_EXCEEDED',
      conforming: true,
    });
    expect(decodeGrpcFault(await call('tooLarge'))).toMatchObject({ category: 'payload_too_large', retryable: false });
  });

  it('retry delays are bounded: a negative one is dropped, a huge one is a day', async () => {
    expect(decodeGrpcFault(await call('negativeDelay')).retryAfter).toBeUndefined();
    expect(decodeGrpcFault(await call('hugeDelay')).retryAfter).toBe(DECODE_LIMITS.retryAfter);
  });

  it('a message over 1024 characters becomes the generic one', async () => {
    expect(decodeGrpcFault(await call('longMessage'))).toMatchObject({
      code: 'GRPC_BIG',
      message: 'The request is invalid.',
      requestId: ID,
    });
  });

  it('params are bounded and never prototype members; contradicting the catalog, dropped', async () => {
    expect(decodeGrpcFault(await call('hostileParams')).params).toEqual({ ok: 'fine' });
    expect(Object.keys(decodeGrpcFault(await call('manyParams')).params)).toHaveLength(DECODE_LIMITS.params);
    expect(decodeGrpcFault(await call('contradicting'), errors).params).toEqual({});
  });

  it('violations are bounded: at most 100, fields and descriptions of at most 256 characters', async () => {
    expect(decodeGrpcFault(await call('manyViolations')).fieldViolations).toHaveLength(DECODE_LIMITS.violations);
    expect(decodeGrpcFault(await call('badViolations')).fieldViolations).toEqual([
      { pointer: '/items/0/a~1b', detail: 'Is required.' },
    ]);
  });

  it('details for another status, or that are not protobuf, decode by the status code', async () => {
    expect(decodeGrpcFault(await call('mismatchedCode'))).toMatchObject({
      conforming: false,
      category: 'bad_gateway',
      requestId: ID,
    });
    expect(decodeGrpcFault(await call('garbage'))).toMatchObject({ conforming: false, category: 'internal' });
  });

  it('a status code outside 0-16 (as grpc-js hands it over) is internal: the status never comes from it', async () => {
    const error = await call('outOfRange');
    expect(error.code).toBe(99);
    expect(decodeGrpcFault(error)).toMatchObject({ code: 'GRPC_ODD', category: 'internal', status: 500 });
    expect(decodeGrpcFault(await call('bareOutOfRange'))).toMatchObject({
      conforming: false,
      category: 'internal',
      status: 500,
    });
  });

  it('bidi controls and escapes in the message, RequestInfo, ErrorInfo metadata and BadRequest are dropped', async () => {
    expect(decodeGrpcFault(await call('bidiText'))).toMatchObject({
      code: 'GRPC_FREE',
      message: 'The request is invalid.',
      requestId: ID,
      params: { ok: 'fine' },
      fieldViolations: [{ pointer: '/c', detail: 'Is required.' }],
    });
  });

  it('never throws, whatever it is given', () => {
    const throwing = {
      code: 3,
      metadata: {
        get: () => {
          throw new Error('boom');
        },
      },
    };
    for (const input of [null, undefined, {}, { code: '3' }, throwing, { code: 3, metadata: { get: () => 'x' } }]) {
      expect(() => decodeGrpcFault(input as never)).not.toThrow();
    }
  });
});
