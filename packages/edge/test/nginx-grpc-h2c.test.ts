/**
 * gRPC through the generated nginx on its cleartext HTTP/2 listener (`grpc.listen`), with a real
 * grpc-js server behind `@faultline/grpc` and a real grpc-js client: calls the backend answers pass
 * with the gateway's id; every error nginx makes itself is a trailers-only gRPC status in
 * `@faultline/grpc`'s shape, with the same id in `x-request-id`, the details and the access log.
 */
import { decodeStatusDetails } from '@faultline/core/grpc';
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEAKS, logged, UUID_V4, V4_ID, V7_ID } from './answers.js';
import { curl, type Gateway, headerValues, startNginx } from './gateway.js';
import { expectGatewayStatus, first } from './grpc-answers.js';
import { callGrpc, type GrpcBackend, startGrpcBackend, streamGrpc } from './grpc-backend.js';

let backend: GrpcBackend;
let gateway: Gateway;
let down: Gateway;
let h2c = '';
let downH2c = '';

beforeAll(async () => {
  backend = await startGrpcBackend();
  const [port, grpcPort, downPort, downGrpcPort, deadPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  h2c = `127.0.0.1:${grpcPort}`;
  downH2c = `127.0.0.1:${downGrpcPort}`;
  const grpc = { services: ['orders.v1.Orders'], domain: 'orders.example.com' };
  [gateway, down] = await Promise.all([
    startNginx(port, {
      upstreams: ['127.0.0.1:9'],
      readTimeout: 1,
      maxBodySize: '1k',
      grpc: { ...grpc, upstreams: [`127.0.0.1:${backend.port}`], listen: [h2c] },
    }),
    // Nothing listens on the backend's port: connection refused.
    startNginx(downPort, {
      upstreams: ['127.0.0.1:9'],
      grpc: { ...grpc, upstreams: [`127.0.0.1:${deadPort}`], listen: [downH2c] },
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), down?.stop()]);
  await backend?.close();
});

describe('nginx gRPC (h2c): calls the backend answers', () => {
  it('a success passes with the gateway id, returned to the client and seen by the handler', async () => {
    const result = await callGrpc(h2c, '/orders.v1.Orders/Get', { q: 1 });
    expect(result).toMatchObject({ code: 0, value: { ok: true, echo: { q: 1 } } });
    const id = first(result.headers, 'x-request-id') as string;
    expect(id).toMatch(UUID_V4);
    expect(backend.seen.at(-1)).toBe(id);
    // The call's gRPC status from the backend's trailers.
    expect(await logged(gateway.dir, id)).toMatchObject({
      status: 200,
      protocol: 'HTTP/2.0',
      uri: '/orders.v1.Orders/Get',
      grpc_status: '0',
    });
    expect(JSON.stringify(result.headers)).not.toMatch(LEAKS);
  });

  it('a valid incoming id is kept; one of a refused version, or text, is replaced', async () => {
    const kept = await callGrpc(h2c, '/orders.v1.Orders/Get', {}, { metadata: { 'x-request-id': V4_ID } });
    expect(first(kept.headers, 'x-request-id')).toBe(V4_ID);
    expect(backend.seen.at(-1)).toBe(V4_ID);
    const replaced = await callGrpc(h2c, '/orders.v1.Orders/Get', {}, { metadata: { 'x-request-id': V7_ID } });
    const id = first(replaced.headers, 'x-request-id');
    expect(id).toMatch(UUID_V4);
    expect(id).not.toBe(V7_ID);
    expect(backend.seen.at(-1)).toBe(id);
    // Text that is no UUID (here a host name) never reaches the backend or the client.
    const text = await callGrpc(
      h2c,
      '/orders.v1.Orders/Get',
      {},
      { metadata: { 'x-request-id': 'db-primary.internal' } },
    );
    expect(first(text.headers, 'x-request-id')).toMatch(UUID_V4);
    expect(backend.seen.at(-1)).toBe(first(text.headers, 'x-request-id'));
  });

  it("an application error keeps the app's code, message and details, with the gateway's id", async () => {
    const result = await callGrpc(h2c, '/orders.v1.Orders/Fail', {});
    // Faultline's answer for a database error: INTERNAL, the generic message, its own domain.
    const id = expectGatewayStatus(result, 'internal', 'orders.example.com');
    // Faultline's trailers-only status as it came: its one id, none added.
    expect(result.error?.metadata.get('x-request-id')).toEqual([id]);
    expect(backend.seen.at(-1)).toBe(id);
    // A trailers-only status: its code from the headers.
    expect(await logged(gateway.dir, id)).toMatchObject({ status: 200, grpc_status: '13' });
    expect(JSON.stringify(result)).not.toMatch(/orders_pkey|10\.0\.0\.5/);
  });

  it('a server stream passes message by message, the id added to its headers', async () => {
    const result = await streamGrpc(h2c, '/orders.v1.Orders/List');
    expect(result).toMatchObject({ code: 0, messages: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    expect(result.headers['x-request-id']).toBe(backend.seen.at(-1));
  });

  it("a stream failing after a message keeps Faultline's trailers (id and details) as sent", async () => {
    const result = await streamGrpc(h2c, '/orders.v1.Orders/Drip');
    expect(result).toMatchObject({ code: 13, messages: [{ n: 1 }] });
    const id = backend.seen.at(-1);
    expect(result.headers['x-request-id']).toBe(id);
    expect(result.trailers['x-request-id']).toBe(id);
    const details = decodeStatusDetails(result.trailers['grpc-status-details-bin'] as Buffer);
    expect(details).toMatchObject({ code: 13, reason: 'INTERNAL', domain: 'orders.example.com', requestId: id });
  });
});

describe("nginx gRPC (h2c): the gateway's own errors", () => {
  it('backend down: UNAVAILABLE with a UUID id in x-request-id and the details, logged', async () => {
    const result = await callGrpc(downH2c, '/orders.v1.Orders/Get', {});
    const id = expectGatewayStatus(result, 'bad_gateway', 'orders.example.com');
    expect(result.code).toBe(14);
    // The gateway's own status.
    expect(await logged(down.dir, id)).toMatchObject({ status: 200, protocol: 'HTTP/2.0', grpc_status: '14' });
  });

  it('backend down, with a valid incoming id: that id throughout', async () => {
    const result = await callGrpc(downH2c, '/orders.v1.Orders/Get', {}, { metadata: { 'x-request-id': V4_ID } });
    expect(expectGatewayStatus(result, 'bad_gateway', 'orders.example.com')).toBe(V4_ID);
  });

  it('backend too slow (past the read timeout): the timeout category (DEADLINE_EXCEEDED)', async () => {
    const result = await callGrpc(h2c, '/orders.v1.Orders/Slow', {});
    const id = expectGatewayStatus(result, 'timeout', 'orders.example.com');
    expect(await logged(gateway.dir, id)).toMatchObject({ status: 200 });
  });

  it('a message over the body limit: payload_too_large (RESOURCE_EXHAUSTED)', async () => {
    const result = await callGrpc(h2c, '/orders.v1.Orders/Get', { pad: 'x'.repeat(4096) });
    expectGatewayStatus(result, 'payload_too_large', 'orders.example.com');
  });

  it('a service the gateway does not route: UNIMPLEMENTED with an id', async () => {
    const result = await callGrpc(h2c, '/other.v1.Other/Get', {});
    const id = expectGatewayStatus(result, 'not_implemented', 'orders.example.com');
    expect(await logged(gateway.dir, id)).toMatchObject({ status: 200, uri: '/other.v1.Other/Get' });
  });

  it('a path whose resolved form is a routed service but not as sent: UNIMPLEMENTED by the gateway', async () => {
    for (const path of ['/other.v1.Other/..%2Forders.v1.Orders/Get', '/orders.v1.Orders/./Get']) {
      const result = await callGrpc(h2c, path, {});
      const id = expectGatewayStatus(result, 'not_implemented', 'orders.example.com');
      // Answered by nginx: no upstream contacted.
      expect(await logged(gateway.dir, id)).toMatchObject({ status: 200, upstream_status: '' });
    }
  });

  it('a request that is not a gRPC call gets the HTTP page (plain public listener)', async () => {
    const exchange = await curl([`http://127.0.0.1:${gateway.port}/orders.v1.Orders/Get`]);
    expect(exchange.status).toBe(404);
    expect(headerValues(exchange, 'content-type')).toEqual(['application/problem+json; charset=utf-8']);
    expect(JSON.parse(exchange.body)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(headerValues(exchange, 'grpc-status')).toEqual([]);
    expect(exchange.raw).not.toMatch(LEAKS);
  });
});
