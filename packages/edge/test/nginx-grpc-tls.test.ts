/**
 * gRPC through the generated nginx on its public TLS 1.3 + HTTP/2 listener, beside the HTTP
 * routes: a real grpc-js client (TLS, the test CA) and curl. Calls pass with the gateway's id; the
 * gateway's own statuses are trailers-only gRPC on the wire; a request that is not a gRPC call gets
 * the HTTP page, never a gRPC status.
 */
import { readFileSync } from 'node:fs';
import { connect, type IncomingHttpHeaders } from 'node:http2';
import { join } from 'node:path';
import { freePort, makeDrainCertificates } from '@faultline/testkit';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEAKS, logged, UUID_V4 } from './answers.js';
import { type Backend, startBackend } from './backend.js';
import { curl, type Gateway, headerValues, startNginx } from './gateway.js';
import { expectGatewayStatus, first } from './grpc-answers.js';
import { callGrpc, type GrpcBackend, startGrpcBackend } from './grpc-backend.js';

let http: Backend;
let backend: GrpcBackend;
let gateway: Gateway;
let certDir = '';
let address = '';
const creds = () => credentials.createSsl(readFileSync(join(certDir, 'ca.crt')));

beforeAll(async () => {
  [http, backend] = await Promise.all([startBackend(), startGrpcBackend()]);
  certDir = makeDrainCertificates().dir;
  const port = await freePort();
  address = `127.0.0.1:${port}`;
  gateway = await startNginx(port, {
    upstreams: [`127.0.0.1:${http.port}`],
    tls: { certificate: join(certDir, 'server.crt'), key: join(certDir, 'server.key') },
    maxBodySize: '1k',
    grpc: { upstreams: [`127.0.0.1:${backend.port}`], services: ['orders.v1.Orders'] },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([backend?.close(), http?.close()]);
});

const https = (path: string, ...args: string[]) =>
  curl(['--cacert', join(certDir, 'ca.crt'), ...args, `https://127.0.0.1:${gateway.port}${path}`]);

describe('nginx gRPC over TLS + HTTP/2: calls the backend answers', () => {
  it('a success passes with the gateway id, returned and seen by the handler', async () => {
    const result = await callGrpc(address, '/orders.v1.Orders/Get', { q: 2 }, { creds: creds() });
    expect(result).toMatchObject({ code: 0, value: { ok: true, echo: { q: 2 } } });
    const id = first(result.headers, 'x-request-id') as string;
    expect(id).toMatch(UUID_V4);
    expect(backend.seen.at(-1)).toBe(id);
    expect(await logged(gateway.dir, id)).toMatchObject({ status: 200, protocol: 'HTTP/2.0' });
  });

  it("an application error: the app's status, the same id as the access log", async () => {
    const result = await callGrpc(address, '/orders.v1.Orders/Fail', {}, { creds: creds() });
    const id = expectGatewayStatus(result, 'internal', 'orders.example.com');
    expect(backend.seen.at(-1)).toBe(id);
    expect(await logged(gateway.dir, id)).toMatchObject({ status: 200, uri: '/orders.v1.Orders/Fail' });
  });

  it('the HTTP routes still answer HTTP beside the gRPC services', async () => {
    const exchange = await https('/api/echo', '--http2');
    expect(exchange.status).toBe(200);
    expect(JSON.parse(exchange.body).seen).toBe(headerValues(exchange, 'x-request-id')[0]);
  });
});

describe("nginx gRPC over TLS + HTTP/2: the gateway's own statuses", () => {
  it('a service not routed: UNIMPLEMENTED (domain faultline by default)', async () => {
    const result = await callGrpc(address, '/other.v1.Other/Get', {}, { creds: creds() });
    expectGatewayStatus(result, 'not_implemented');
  });

  it('a message over the body limit: RESOURCE_EXHAUSTED', async () => {
    const result = await callGrpc(address, '/orders.v1.Orders/Get', { pad: 'y'.repeat(4096) }, { creds: creds() });
    expectGatewayStatus(result, 'payload_too_large');
  });

  it('on the wire: one HEADERS frame ending the stream, HTTP 200, application/grpc, the encoded generic message, the id', async () => {
    const session = connect(`https://${address}`, {
      ca: readFileSync(join(certDir, 'ca.crt')),
      servername: 'localhost',
    });
    const { headers, flags, data } = await new Promise<{ headers: IncomingHttpHeaders; flags: number; data: number }>(
      (resolve, reject) => {
        const stream = session.request({
          ':method': 'POST',
          ':path': '/other.v1.Other/Get',
          'content-type': 'application/grpc',
          te: 'trailers',
        });
        let data = 0;
        let response: { headers: IncomingHttpHeaders; flags: number } | undefined;
        stream.on('response', (h, f) => {
          response = { headers: h, flags: f };
        });
        stream.on('data', (chunk: Buffer) => {
          data += chunk.length;
        });
        stream.on('trailers', () => reject(new Error('trailers after the headers: not trailers-only')));
        stream.on('end', () => (response ? resolve({ ...response, data }) : reject(new Error('no response'))));
        stream.on('error', reject);
        stream.end(Buffer.from([0, 0, 0, 0, 2, 0x7b, 0x7d]));
      },
    );
    session.close();
    // END_STREAM (0x1) on the response's HEADERS frame: a trailers-only answer, no DATA.
    expect(flags & 0x1).toBe(0x1);
    expect(data).toBe(0);
    expect(headers).toMatchObject({
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': '12',
      'grpc-message': 'This%20operation%20is%20not%20implemented.',
    });
    const id = headers['x-request-id'] as string;
    expect(id).toMatch(UUID_V4);
    const details = Buffer.from(headers['grpc-status-details-bin'] as string, 'base64');
    expect(details.toString('latin1').split(id)).toHaveLength(3);
    expect(Object.keys(headers).sort()).toEqual([
      ':status',
      'content-length',
      'content-type',
      'date',
      'grpc-message',
      'grpc-status',
      'grpc-status-details-bin',
      'x-request-id',
    ]);
    expect(JSON.stringify(headers)).not.toMatch(LEAKS);
  });
});

describe('nginx gRPC over TLS: a request that is not a gRPC call gets the HTTP page', () => {
  for (const [name, args] of [
    ['HTTP/1.1 GET', ['--http1.1']],
    ['HTTP/2 GET', ['--http2']],
    ['HTTP/2 POST of JSON', ['--http2', '-H', 'content-type: application/json', '--data', '{}']],
  ] as const) {
    it(name, async () => {
      const exchange = await https('/orders.v1.Orders/Get', ...args);
      expect(exchange.status).toBe(404);
      expect(headerValues(exchange, 'content-type')).toEqual(['application/problem+json; charset=utf-8']);
      const id = headerValues(exchange, 'x-request-id')[0];
      expect(JSON.parse(exchange.body)).toMatchObject({ status: 404, code: 'NOT_FOUND', request_id: id });
      expect(headerValues(exchange, 'grpc-status')).toEqual([]);
      expect(exchange.raw).not.toMatch(LEAKS);
    });
  }
});
