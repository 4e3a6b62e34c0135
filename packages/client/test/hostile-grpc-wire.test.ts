/**
 * A hostile gRPC upstream written on `node:http2` directly (no gRPC server library between it and
 * the wire), answering every call trailers-only: `google.rpc.RetryInfo` delays that are not valid
 * non-negative `google.protobuf.Duration`s (a negative fraction of a second, nanos out of range or
 * of the other sign than the seconds, a `retry_delay` sent twice to be merged), and `grpc-status`
 * values no gRPC server may send (`abc`, `-1`, `3.5`, `1e400`), an `x-request-id` sent twice,
 * details that are not base64 or hold Anys of unknown types and 30 000 nested groups. A real
 * grpc-js client hands over
 * the `ServiceError`, and `decodeGrpcFault` holds the delay to the rule of every protocol: a
 * negative delay is dropped, never rounded to "retry now".
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGrpcFault } from '../src/grpc.js';
import { DECODE_LIMITS } from '../src/index.js';
import { statusBytes } from './support/status-bytes.js';
import { startTrailersServer, type TrailersServer } from './support/trailers-server.js';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const UNAVAILABLE = 14;
const RESOURCE_EXHAUSTED = 8;

/** One `retry_delay` Duration as written on the wire (either member may be left out). */
type Delay = { seconds?: bigint | number; nanos?: number };

/** A status with an ErrorInfo `reason`, then one RetryInfo per entry of `infos`, each with its `retry_delay`s in order. */
function withRetryInfos(code: number, reason: string, infos: readonly (readonly Delay[])[]): Buffer {
  const parts: Uint8Array[] = [statusBytes({ code, reason, requestId: ID })];
  for (const delays of infos) {
    const info = new BinaryWriter();
    for (const delay of delays) {
      info.tag(1, WireType.LengthDelimited).fork();
      if (delay.seconds !== undefined) info.tag(1, WireType.Varint).int64(delay.seconds);
      if (delay.nanos !== undefined) info.tag(2, WireType.Varint).int32(delay.nanos);
      info.join();
    }
    const any = new BinaryWriter()
      .tag(1, WireType.LengthDelimited)
      .string('type.googleapis.com/google.rpc.RetryInfo')
      .tag(2, WireType.LengthDelimited)
      .bytes(info.finish())
      .finish();
    parts.push(new BinaryWriter().tag(3, WireType.LengthDelimited).bytes(any).finish());
  }
  return Buffer.concat(parts);
}

/** The trailers-only answer of each call, by the `x-case` header the test sends. */
const ANSWERS: Record<string, Record<string, string>> = {};
const retryCase = (name: string, code: number, infos: readonly (readonly Delay[])[]) => {
  ANSWERS[name] = {
    'grpc-status': String(code),
    'grpc-status-details-bin': withRetryInfos(code, 'UPSTREAM_BUSY', infos).toString('base64'),
  };
};
retryCase('halfSecondAgo', UNAVAILABLE, [[{ nanos: -500_000_000 }]]);
retryCase('signsDiffer', UNAVAILABLE, [[{ seconds: -1, nanos: 999_999_999 }]]);
retryCase('nanosTooLow', UNAVAILABLE, [[{ seconds: 1, nanos: -1_500_000_000 }]]);
retryCase('nanosTooHigh', UNAVAILABLE, [[{ seconds: 0, nanos: 2_000_000_000 }]]);
retryCase('mergedNegative', UNAVAILABLE, [[{ seconds: -1 }, { nanos: 500_000_000 }]]);
retryCase('lastNegative', UNAVAILABLE, [[{ seconds: 30 }], [{ nanos: -1 }]]);
retryCase('quotaNegative', RESOURCE_EXHAUSTED, [[{ nanos: -1 }]]);
retryCase('valid', UNAVAILABLE, [[{ seconds: 1, nanos: 500_000_000 }]]);
retryCase('merged', UNAVAILABLE, [[{ seconds: 3 }, { nanos: 1 }]]);
retryCase('lastValid', UNAVAILABLE, [[{ nanos: -1 }], [{ seconds: 7 }]]);
retryCase('zero', UNAVAILABLE, [[{ seconds: 0, nanos: 0 }]]);
retryCase('beyondSafeIntegers', UNAVAILABLE, [[{ seconds: 2n ** 62n, nanos: 999_999_999 }]]);
const BAD_STATUSES = ['abc', '-1', '3.5', '1e400'];
for (const status of BAD_STATUSES) {
  ANSWERS[`status ${status}`] = {
    'grpc-status': status,
    'grpc-status-details-bin': statusBytes({ code: 3, reason: 'UPSTREAM_ODD', message: 'pwned' }).toString('base64'),
    'x-request-id': ID,
  };
}

const ID2 = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';
/**
 * Details with an Any of an unknown type, and a RetryInfo of 30 000 nested group starts (more does
 * not fit in HTTP/2's default header list).
 */
function oddAnys(): Buffer {
  const any = (typeUrl: string, value: Uint8Array) =>
    new BinaryWriter()
      .tag(3, WireType.LengthDelimited)
      .bytes(
        new BinaryWriter()
          .tag(1, WireType.LengthDelimited)
          .string(typeUrl)
          .tag(2, WireType.LengthDelimited)
          .bytes(value)
          .finish(),
      )
      .finish();
  return Buffer.concat([
    statusBytes({ code: UNAVAILABLE, reason: 'UPSTREAM_BUSY', requestId: ID }),
    any('evil.example/x.Unknown', Buffer.alloc(1000, 0x0b)),
    any('type.googleapis.com/google.rpc.RetryInfo', Buffer.alloc(30_000, 0x0b)),
  ]);
}
ANSWERS.repeatedId = { 'grpc-status': '14', 'x-request-id': `${ID}, ${ID2}` };
ANSWERS.notBase64 = { 'grpc-status': '14', 'grpc-status-details-bin': '%%% not base64 !!!', 'x-request-id': ID };
ANSWERS.oddAnys = { 'grpc-status': '14', 'grpc-status-details-bin': oddAnys().toString('base64') };

let wire: TrailersServer;
beforeAll(async () => {
  wire = await startTrailersServer(ANSWERS);
});
afterAll(() => wire.close());

/** The `ServiceError` of one call answered with `ANSWERS[name]`. */
const call = (name: string) => wire.call(name);

describe('RetryInfo delays that are not valid non-negative Durations', () => {
  it.each(['halfSecondAgo', 'signsDiffer', 'nanosTooLow', 'nanosTooHigh', 'mergedNegative', 'lastNegative'])(
    '%s: the delay is dropped (never 0, "retry now"), the rest of the fault still decodes',
    async (name) => {
      expect(decodeGrpcFault(await call(name))).toMatchObject({
        conforming: true,
        code: 'UPSTREAM_BUSY',
        requestId: ID,
        retryAfter: undefined,
      });
    },
  );

  it('a RESOURCE_EXHAUSTED whose only delay is negative is payload_too_large, not a retryable rate limit', async () => {
    expect(decodeGrpcFault(await call('quotaNegative'))).toMatchObject({
      category: 'payload_too_large',
      retryable: false,
      retryAfter: undefined,
    });
  });

  it.each([
    ['valid', 2],
    ['merged', 4],
    ['lastValid', 7],
    ['zero', 0],
    ['beyondSafeIntegers', DECODE_LIMITS.retryAfter],
  ])('%s: a valid delay is rounded up and capped at a day (%d s)', async (name, seconds) => {
    expect(decodeGrpcFault(await call(name))).toMatchObject({ code: 'UPSTREAM_BUSY', retryAfter: seconds });
  });
});

describe('a grpc-status no server may send, as grpc-js hands it over', () => {
  it.each(BAD_STATUSES)(
    'grpc-status %s: internal (500), the details and their message are not taken',
    async (status) => {
      const error = await call(`status ${status}`);
      expect(decodeGrpcFault(error)).toMatchObject({
        conforming: false,
        format: 'unknown',
        category: 'internal',
        status: 500,
        code: 'INTERNAL',
        message: 'An internal error occurred.',
        requestId: ID,
      });
    },
  );
});

describe('odd trailers', () => {
  it('an x-request-id sent twice with different values is no id (as a repeated X-Request-ID on HTTP)', async () => {
    expect(decodeGrpcFault(await call('repeatedId'))).toMatchObject({ category: 'bad_gateway', requestId: undefined });
  });

  it('details that are not base64, or hold unknown or deeply nested Anys, decode by the status code', async () => {
    expect(decodeGrpcFault(await call('notBase64'))).toMatchObject({
      conforming: false,
      category: 'bad_gateway',
      requestId: ID,
    });
    const started = Date.now();
    expect(decodeGrpcFault(await call('oddAnys'))).toMatchObject({ conforming: false, category: 'bad_gateway' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
