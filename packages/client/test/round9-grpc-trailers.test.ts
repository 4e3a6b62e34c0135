/**
 * Round 9: trailers a hostile gRPC upstream (or a proxy, or a man in the middle appending its own)
 * may send, from a raw `node:http2` server to a real grpc-js client, answered trailers-only.
 *
 * - A `grpc-status-details-bin` sent twice: grpc-js base64-decodes the joined value leniently, so
 *   the client got both statuses run together, which protobuf merged (the second's reason and
 *   message took over the fault). Like any repeated header or trailer, it now counts as absent:
 *   the fault decodes by the status code.
 * - `grpc-message` with CR/LF, escapes and broken percent-encoding is never the message.
 * - `grpc-status: 0` with details on a unary call (grpc-js reports UNIMPLEMENTED, "no message"):
 *   the details are for another status and are not taken.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSingleStatus } from '../src/grpc/single-status.js';
import { decodeGrpcFault } from '../src/grpc.js';
import { statusBytes } from './support/status-bytes.js';
import { startTrailersServer, type TrailersServer } from './support/trailers-server.js';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const UNAVAILABLE = 14;
/**
 * The genuine status, its length a multiple of 3 so that its base64 has no padding: Node's base64
 * decoder stops at a `=`, so after a padded value grpc-js keeps the first status alone (out of the
 * client's sight), and after an unpadded one it keeps both, run together.
 */
const [BUSY, FIRST] = ['Busy.', 'Busy!.', 'Busy!!.']
  .map(
    (message) =>
      [message, statusBytes({ code: UNAVAILABLE, reason: 'UPSTREAM_BUSY', message, requestId: ID })] as const,
  )
  .find(([, bytes]) => bytes.byteLength % 3 === 0) as readonly [string, Buffer];
const SECOND = statusBytes({
  code: UNAVAILABLE,
  reason: 'ACCOUNT_LOCKED',
  message: 'Call +1 555 0100 to unlock your account.',
  violations: [{ field: 'password', description: 'Send it to us.' }],
});
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** The trailers-only answer of each case (besides `:status` and `content-type`). */
const ANSWERS: Record<string, Record<string, string | string[]>> = {
  single: { 'grpc-status': '14', 'grpc-status-details-bin': b64(FIRST), 'x-request-id': ID },
  twice: { 'grpc-status': '14', 'grpc-status-details-bin': [b64(FIRST), b64(SECOND)], 'x-request-id': ID },
  joined: { 'grpc-status': '14', 'grpc-status-details-bin': `${b64(FIRST)},${b64(SECOND)}`, 'x-request-id': ID },
  sameTwice: { 'grpc-status': '14', 'grpc-status-details-bin': [b64(FIRST), b64(FIRST)], 'x-request-id': ID },
  grpcMessage: {
    'grpc-status': '14',
    'grpc-message': '%0D%0AERROR admin%1B[31m %E0%A4%A <script>',
    'grpc-status-details-bin': b64(FIRST),
  },
  grpcMessageOnly: { 'grpc-status': '14', 'grpc-message': 'Call%20%2B1%20555%200100%0D%0A', 'x-request-id': ID },
  okWithDetails: { 'grpc-status': '0', 'grpc-status-details-bin': b64(statusBytes({ code: 0, reason: 'ALL_GOOD' })) },
};

let wire: TrailersServer;
beforeAll(async () => {
  wire = await startTrailersServer(ANSWERS);
});
afterAll(() => wire.close());

/** The `ServiceError` of one call answered with `ANSWERS[name]`. */
const call = (name: string) => wire.call(name);

const BY_CODE = {
  protocol: 'grpc',
  format: 'unknown',
  conforming: false,
  category: 'bad_gateway',
  code: 'BAD_GATEWAY',
  message: 'An upstream service failed.',
  fieldViolations: [],
  params: {},
};

describe('a grpc-status-details-bin sent more than once', () => {
  it('once: decodes (the control)', async () => {
    expect(decodeGrpcFault(await call('single'))).toMatchObject({
      conforming: true,
      code: 'UPSTREAM_BUSY',
      message: BUSY,
      requestId: ID,
    });
  });

  it.each(['twice', 'joined', 'sameTwice'])(
    '%s: counts as absent (never merged into the last one), the fault comes from the status code',
    async (name) => {
      const error = await call(name);
      // What grpc-js hands over: one buffer holding both statuses.
      const [blob] = error.metadata.get('grpc-status-details-bin') as Buffer[];
      expect(blob?.subarray(0, FIRST.byteLength).equals(FIRST)).toBe(true);
      expect(blob?.byteLength).toBeGreaterThan(FIRST.byteLength);
      expect(decodeGrpcFault(error)).toMatchObject({ ...BY_CODE, requestId: ID });
    },
  );
});

describe('grpc-message and status 0', () => {
  it('a grpc-message with CR/LF, escapes and broken percent-encoding is never the message', async () => {
    const withDetails = await call('grpcMessage');
    expect(withDetails.details).toContain('<script>');
    expect(decodeGrpcFault(withDetails)).toMatchObject({ conforming: true, code: 'UPSTREAM_BUSY', message: BUSY });
    const alone = await call('grpcMessageOnly');
    expect(alone.details).toContain('555');
    expect(decodeGrpcFault(alone)).toMatchObject({ ...BY_CODE, requestId: ID });
  });

  it('grpc-status 0 with details on a unary call: the details are not taken', async () => {
    const error = await call('okWithDetails');
    expect(error.code).not.toBe(0);
    expect(decodeGrpcFault(error)).toMatchObject({ conforming: false, format: 'unknown' });
    expect(decodeGrpcFault(error).code).not.toBe('ALL_GOOD');
  });
});

describe('isSingleStatus', () => {
  it('reads the top-level fields only, linearly, and refuses bytes that are not protobuf', () => {
    expect(isSingleStatus(FIRST)).toBe(true);
    expect(isSingleStatus(new Uint8Array())).toBe(true);
    expect(isSingleStatus(Buffer.concat([FIRST, SECOND]))).toBe(false);
    // Truncated, a length past the end, wire types 6 and 7, an end group without a start.
    expect(isSingleStatus(FIRST.subarray(0, FIRST.byteLength - 1))).toBe(false);
    expect(isSingleStatus(Uint8Array.from([0x12, 0x7f, 0x41]))).toBe(false);
    expect(isSingleStatus(Uint8Array.from([0x0e]))).toBe(false);
    expect(isSingleStatus(Uint8Array.from([0x0c]))).toBe(false);
    expect(isSingleStatus(Uint8Array.from(Array(11).fill(0xff)))).toBe(false);
    // Groups nested 50 deep (a field 1 inside them is not the status's code): one status.
    const nested = Buffer.concat([Buffer.alloc(50, 0x2b), Buffer.from([0x08, 0x01]), Buffer.alloc(50, 0x2c)]);
    expect(isSingleStatus(Buffer.concat([Buffer.from([0x08, 0x0e]), nested]))).toBe(true);
    // 200 000 deep: past protobuf-es's recursion limit (which the status's decoder has too), refused at once.
    const deep = Buffer.concat([Buffer.alloc(200_000, 0x2b), Buffer.from([0x08, 0x01]), Buffer.alloc(200_000, 0x2c)]);
    expect(isSingleStatus(Buffer.concat([Buffer.from([0x08, 0x0e]), deep]))).toBe(false);
  });
});
