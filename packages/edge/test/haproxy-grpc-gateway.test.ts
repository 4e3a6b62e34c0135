/**
 * gRPC through the generated HAProxy (Debian 2.6), real grpc-js clients over TLS + HTTP/2 on the
 * public listener and over h2c on `grpc.listen`, in front of a real grpc-js service with
 * `@faultline/grpc`: the gateway's id reaches the handler and comes back; the application's
 * statuses, streams and trailers pass as they came; HAProxy's own answers (unknown service, no
 * server, a timeout, a body over the limit) are trailers-only statuses with the id and the
 * details core encodes, read by `@faultline/client/grpc` as from the application.
 */
import { connect as http2Connect } from 'node:http2';
import { decodeGrpcFault } from '@faultline/client/grpc';
import { encodeStatusDetails, faultOf, GrpcStatus, TAXONOMY } from '@faultline/core/adapter';
import { type ClientReadableStream, Metadata, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEAKS, logged, UUID_V4, V4_ID } from './answers.js';
import { curl, headerValues } from './gateway.js';
import {
  DOMAIN,
  type GrpcBackend,
  grpcClient,
  ORDERS,
  readStream,
  UNKNOWN,
  type UnaryOutcome,
  unary,
} from './haproxy-grpc-backend.js';
import { type GrpcGateways, startGrpcGateways } from './haproxy-grpc-gateways.js';

let gateways: GrpcGateways;
let backend: GrpcBackend;
let ports: GrpcGateways['ports'];

beforeAll(async () => {
  gateways = await startGrpcGateways();
  ({ backend, ports } = gateways);
}, 30_000);

afterAll(async () => {
  await gateways?.stop();
});

/** The listeners gRPC is accepted on, and the CA a client trusts there (none: h2c). */
const LISTENERS = [
  ['TLS + HTTP/2', 'tls', 'downTls', () => gateways.ca],
  ['h2c grpc.listen', 'h2c', 'downH2c', () => undefined],
] as const;

/** The first value of `key` in received metadata (as grpc-js's `toJSON` gives it). */
const first = (metadata: Record<string, unknown>, key: string) => (metadata[key] as unknown[] | undefined)?.[0];

/** Nothing the client got names the product, a version, or the backend's address. */
function expectNoLeak(outcome: unknown) {
  const text = JSON.stringify(outcome, (_key, value) =>
    value?.type === 'Buffer' ? Buffer.from(value.data).toString('latin1') : value,
  );
  expect(text).not.toMatch(LEAKS);
  expect(text).not.toContain(String(backend.port));
  expect(text).not.toMatch(/grpc-node|orders-db|orders_private|SELECT/);
}

/**
 * A trailers-only status of the gateway's: the category's code and message, a v4 id in
 * `x-request-id`, and exactly the details core encodes for the category with that id, decoded
 * by `@faultline/client/grpc` to the category's code and the same id.
 */
function expectGatewayStatus(outcome: UnaryOutcome, category: keyof typeof TAXONOMY) {
  const error = outcome.error as ServiceError;
  expect(error.code).toBe(TAXONOMY[category].grpc);
  expect(error.details).toBe(TAXONOMY[category].message);
  const id = String(first(outcome.trailers, 'x-request-id'));
  expect(id).toMatch(UUID_V4);
  const details = first(outcome.trailers, 'grpc-status-details-bin') as Buffer;
  const expected = encodeStatusDetails(faultOf(category, { requestId: id, requestIdTrusted: true }), DOMAIN);
  expect(Buffer.compare(details, Buffer.from(expected))).toBe(0);
  const fault = decodeGrpcFault(error);
  expect(fault).toMatchObject({ conforming: true, category, requestId: id, message: TAXONOMY[category].message });
  // HAProxy adds `content-length: 0` to the answers it makes; nothing else.
  const keys = Object.keys(outcome.trailers).filter((key) => key !== 'content-length');
  expect(keys.sort()).toEqual(['content-type', 'grpc-status-details-bin', 'x-request-id']);
  expectNoLeak(outcome);
  return id;
}

describe.each(LISTENERS)('gRPC through HAProxy over %s', (_name, listener, downListener, caOf) => {
  it('a call succeeds with the gateway-made id, seen by the handler and returned in the headers', async () => {
    const client = grpcClient(ORDERS, ports[listener], caOf());
    const outcome = await unary(client, 'get');
    client.close();
    expect(outcome.error).toBeUndefined();
    const id = String(first(outcome.headers, 'x-request-id'));
    expect(id).toMatch(UUID_V4);
    expect(outcome.value).toEqual({ id });
    expect(backend.seen).toContain(id);
    // The backend's server and x-powered-by are removed like on the HTTP path.
    expect(Object.keys(outcome.headers).sort()).toEqual(['content-type', 'date', 'x-request-id']);
    expectNoLeak(outcome);
  });

  it("keeps the client's valid id end to end", async () => {
    const client = grpcClient(ORDERS, ports[listener], caOf());
    const sent = new Metadata();
    sent.set('x-request-id', V4_ID);
    const kept = await unary(client, 'get', {}, sent);
    client.close();
    expect(kept.error).toBeUndefined();
    expect(first(kept.headers, 'x-request-id')).toBe(V4_ID);
    expect(kept.value).toEqual({ id: V4_ID });
  });

  it("passes the application's status untouched: its code, message, details and the gateway's id", async () => {
    const client = grpcClient(ORDERS, ports[listener], caOf());
    const outcome = await unary(client, 'fail');
    client.close();
    const error = outcome.error as ServiceError;
    expect(error.code).toBe(GrpcStatus.NOT_FOUND);
    expect(error.details).toBe('The order does not exist.');
    const id = String(first(outcome.trailers, 'x-request-id'));
    expect(id).toMatch(UUID_V4);
    expect(backend.seen).toContain(id);
    expect(decodeGrpcFault(error)).toMatchObject({ conforming: true, code: 'ORDER_NOT_FOUND', requestId: id });
    expectNoLeak(outcome);
    // A trailers-only status: its code in the access log line.
    expect(await logged(gateways.dirs.up, id)).toMatchObject({ status: 200, grpc_status: '5' });
  });

  it("relays a stream's messages, then its status in the trailers", async () => {
    const client = grpcClient(ORDERS, ports[listener], caOf());
    const { messages, error } = await readStream(client.list({}) as ClientReadableStream<unknown>);
    client.close();
    expect(messages).toEqual([{ n: 1 }, { n: 2 }]);
    expect(error?.code).toBe(GrpcStatus.NOT_FOUND);
    const id = String(error?.metadata.get('x-request-id')[0]);
    expect(backend.seen).toContain(id);
    expect(decodeGrpcFault(error as ServiceError)).toMatchObject({ code: 'ORDER_NOT_FOUND', requestId: id });
  });

  it('answers a service it does not route UNIMPLEMENTED, with the id and the details', async () => {
    const client = grpcClient(UNKNOWN, ports[listener], caOf());
    const outcome = await unary(client, 'get');
    client.close();
    expectGatewayStatus(outcome, 'not_implemented');
  });

  it('answers a backend too slow with the code of `timeout`', async () => {
    const client = grpcClient(ORDERS, ports[listener], caOf());
    const outcome = await unary(client, 'slow');
    client.close();
    expect(TAXONOMY.timeout.grpc).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expectGatewayStatus(outcome, 'timeout');
  });

  it('answers UNAVAILABLE with a new id and its RequestInfo when no backend answers', async () => {
    const client = grpcClient(ORDERS, ports[downListener], caOf());
    const outcome = await unary(client, 'get');
    client.close();
    expect(outcome.error?.code).toBe(GrpcStatus.UNAVAILABLE);
    const id = expectGatewayStatus(outcome, 'unavailable');
    expect(await logged(gateways.dirs.down, id)).toMatchObject({ grpc_status: '14' });
  });
});

describe('gRPC paths outside gRPC', () => {
  it('answers HTTP/1.1 to a gRPC path with the HTTP JSON page', async () => {
    const answer = await curl([
      '--cacert',
      gateways.caFile,
      '--http1.1',
      '-X',
      'POST',
      '-H',
      'content-type: application/grpc',
      '--data-binary',
      '',
      `https://127.0.0.1:${ports.tls}/orders.v1.Orders/Get`,
    ]);
    expect(answer.status).toBe(404);
    expect(headerValues(answer, 'content-type')).toEqual(['application/problem+json; charset=utf-8']);
    const id = headerValues(answer, 'x-request-id')[0];
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'NOT_FOUND', request_id: id });
    expect(headerValues(answer, 'grpc-status')).toEqual([]);
  });

  it('answers a request that is not gRPC on the h2c listener with the HTTP JSON page', async () => {
    const answer = await curl(['--http2-prior-knowledge', `http://127.0.0.1:${ports.h2c}/orders.v1.Orders/Get`]);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({
      code: 'NOT_FOUND',
      request_id: headerValues(answer, 'x-request-id')[0],
    });
  });

  it('answers a declared body over the limit RESOURCE_EXHAUSTED, trailers-only', async () => {
    const session = http2Connect(`http://127.0.0.1:${ports.h2c}`);
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const stream = session.request({
        ':method': 'POST',
        ':path': '/orders.v1.Orders/Get',
        'content-type': 'application/grpc',
        'content-length': '100000',
        te: 'trailers',
      });
      stream.on('response', (received, flags) => {
        resolve({ ...received, endStream: (flags & 1) === 1 });
        stream.close();
      });
      stream.on('error', reject);
      // The body is not all sent: the gateway answers on the declared length.
      stream.write(Buffer.alloc(10));
    });
    session.close();
    expect(headers).toMatchObject({
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': String(TAXONOMY.payload_too_large.grpc),
      // As grpc-js writes a status's details (encodeURI).
      'grpc-message': encodeURI(TAXONOMY.payload_too_large.message),
      endStream: true,
    });
    expect(String(headers['x-request-id'])).toMatch(UUID_V4);
  });
});
