/**
 * The hand-written `google.rpc.Status` encoder (`status-encode.ts`, no protobuf runtime) produces
 * exactly the bytes @bufbuild/protobuf produces for the same message: every category, with and
 * without retry-after, public parameters, field violations (under and over the size cap), and text
 * outside ASCII. The reference encoding below is the library encoding the server used before; it
 * runs in tests only.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { anyPack, DurationSchema } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import {
  BadRequest_FieldViolationSchema,
  BadRequestSchema,
  ErrorInfoSchema,
  RequestInfoSchema,
  RetryInfoSchema,
} from '../src/grpc/gen/google/rpc/error_details_pb.js';
import { StatusSchema } from '../src/grpc/gen/google/rpc/status_pb.js';
import { varint } from '../src/grpc/wire.js';
import {
  CATEGORIES,
  capture,
  decodeStatusDetails,
  defineCatalog,
  encodeStatusDetails,
  type Fault,
  FaultError,
  fieldPathOf,
  MAX_DETAILS_BYTES,
} from './support/source.js';

/** @bufbuild/protobuf's encoding of the Status the server sends for `fault`. */
function libraryEncoding(fault: Fault, domain: string): Uint8Array {
  const details = [
    anyPack(
      ErrorInfoSchema,
      create(ErrorInfoSchema, {
        reason: fault.code,
        domain,
        metadata: {
          ...Object.fromEntries(Object.entries(fault.params).map(([k, v]) => [k, String(v)])),
          requestId: fault.id,
        },
      }),
    ),
    anyPack(RequestInfoSchema, create(RequestInfoSchema, { requestId: fault.id })),
  ];
  if (fault.retryAfter !== undefined)
    details.push(
      anyPack(
        RetryInfoSchema,
        create(RetryInfoSchema, { retryDelay: create(DurationSchema, { seconds: BigInt(fault.retryAfter) }) }),
      ),
    );
  const violations = fault.fieldViolations.map((v) =>
    create(BadRequest_FieldViolationSchema, { field: fieldPathOf(v.pointer), description: v.detail }),
  );
  const encode = (list: typeof details) =>
    toBinary(StatusSchema, create(StatusSchema, { code: fault.grpcCode, message: fault.message, details: list }));
  if (violations.length === 0) return encode(details);
  const full = encode([
    ...details,
    anyPack(BadRequestSchema, create(BadRequestSchema, { fieldViolations: violations })),
  ]);
  return full.byteLength <= MAX_DETAILS_BYTES ? full : encode(details);
}

const same = (fault: Fault, domain = 'faultline') =>
  expect(Buffer.from(encodeStatusDetails(fault, domain)).toString('hex')).toBe(
    Buffer.from(libraryEncoding(fault, domain)).toString('hex'),
  );

const errors = defineCatalog({
  ENC_TOO_MANY: {
    category: 'validation',
    message: 'At most {limit} items of {kind}.',
    params: { limit: 'integer', kind: 'string' },
  },
  ENC_BUSY: { category: 'unavailable', message: 'Busy, wait {seconds} s.', params: { seconds: 'number' } },
  ENC_CLOSED: { category: 'forbidden', message: 'Geschlossen für «Sie» ✓.' },
});

describe('status encoder without protobuf', () => {
  it.each(CATEGORIES)('encodes %s byte for byte as @bufbuild/protobuf does (template and full paths)', (category) => {
    const first = capture(FaultError.of(category));
    same(first);
    // The second encoding of a code comes from the template with the id spliced in.
    same(capture(FaultError.of(category)));
    same(first, 'orders.example.com');
    same(capture(FaultError.of(category, { retryAfter: 7 })));
    same(capture(FaultError.of(category, { retryAfter: 0 })));
    same(capture(FaultError.of(category, { retryAfter: 86_400 * 400 })));
  });

  it('encodes public parameters, catalog codes and text outside ASCII as the library does', () => {
    same(capture(errors.ENC_TOO_MANY({ params: { limit: 100, kind: 'Bücher ✓ \ud83d\ude00' } })));
    same(capture(errors.ENC_TOO_MANY({ params: { limit: 0, kind: '' } })));
    same(capture(errors.ENC_BUSY({ params: { seconds: 2.5 }, retryAfter: 3 })), 'd');
    same(capture(errors.ENC_CLOSED()), 'ünïcode-domain');
    same(capture(errors.ENC_CLOSED()), '');
  });

  it('encodes field violations, and drops them past the size cap, as the library does', () => {
    const few = [
      { pointer: '/items/0/qty', detail: 'Must be positive.' },
      { pointer: '/email', detail: 'Is not an e-mail address: «x».' },
      { pointer: '', detail: 'Body is invalid.' },
    ];
    same(capture(FaultError.of('validation', { fieldViolations: few })));
    const many = Array.from({ length: 40 }, (_, i) => ({ pointer: `/items/${i}/${'a'.repeat(90)}`, detail: 'Bad.' }));
    const over = capture(FaultError.of('validation', { fieldViolations: many }));
    same(over);
    expect(encodeStatusDetails(over, 'faultline').byteLength).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
  });

  it('keeps a template per message: a code raised with another message gets its own bytes', () => {
    const plain = capture(FaultError.of('conflict'));
    const worded = capture(errors.ENC_CLOSED());
    same(plain);
    same(worded);
    expect(decodeStatusDetails(encodeStatusDetails(worded, 'faultline'))?.message).toBe(worded.message);
  });

  it('writes varints as protobuf does, negatives as ten bytes', () => {
    expect(varint(0)).toEqual([0]);
    expect(varint(300)).toEqual([0xac, 0x02]);
    expect(varint(2 ** 35)).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    expect(varint(-1)).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(() => varint(1.5)).toThrow(RangeError);
  });

  it.each([
    [0n, 500_000_000, 1],
    [2n, 1, 3],
    [3n, 0, 3],
    [0n, 0, 0],
  ])("reads RetryInfo's delay %is + %ins as %is (rounded up, nanos counted)", (seconds, nanos, expected) => {
    const bytes = toBinary(
      StatusSchema,
      create(StatusSchema, {
        code: 14,
        message: 'unavailable',
        details: [
          anyPack(RetryInfoSchema, create(RetryInfoSchema, { retryDelay: create(DurationSchema, { seconds, nanos }) })),
        ],
      }),
    );
    expect(decodeStatusDetails(bytes)?.retryDelaySeconds).toBe(expected);
  });
});
