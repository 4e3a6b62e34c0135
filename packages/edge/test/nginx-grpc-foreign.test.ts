/**
 * A gRPC backend that is not Faultline's, behind the generated nginx: what the gateway strips and
 * what it cannot. A real HTTP/2 server (node:http2, cleartext) answers as a careless gRPC server or
 * a proxy in front of one would. nginx cannot rewrite a backend's status: its grpc-message passes
 * (a documented limit); the headers that name products and internals go, in the headers and (by
 * name) in the trailers; an HTTP error status with an HTML page is answered by the gateway.
 */
import { createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UUID_V4 } from './answers.js';
import { type Gateway, startNginx } from './gateway.js';
import { expectGatewayStatus, first } from './grpc-answers.js';
import { callGrpc } from './grpc-backend.js';

const LEAKY = {
  server: 'envoy',
  'x-powered-by': 'Express',
  via: '1.1 envoy-1.27.0',
  'x-aspnet-version': '4.0.30319',
  'x-debug-db': 'db-primary.internal:5432',
};

/** The careless backend: a gRPC status naming SQL and hosts, leaky metadata, an HTML 502 page. */
function answer(stream: ServerHttp2Stream, path: string): void {
  stream.on('data', () => undefined);
  const status = {
    'grpc-status': '13',
    'grpc-message': 'SELECT%20*%20FROM%20orders_private%20on%20db-primary.internal',
  };
  if (path === '/orders.v1.Orders/TrailersOnly') {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...status, ...LEAKY }, { endStream: true });
  } else if (path === '/orders.v1.Orders/Trailers') {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...LEAKY }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ ...status, ...LEAKY }));
    stream.end();
  } else {
    stream.respond({ ':status': 502, 'content-type': 'text/html', ...LEAKY });
    stream.end('<h1>502 Bad Gateway</h1><hr>nginx/1.18.0 upstream 10.0.0.5:50051');
  }
}

let backend: Http2Server;
let gateway: Gateway;
let h2c = '';

beforeAll(async () => {
  backend = createServer();
  backend.on('stream', (stream, headers) => answer(stream, String(headers[':path'])));
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const [port, grpcPort] = await Promise.all([freePort(), freePort()]);
  h2c = `127.0.0.1:${grpcPort}`;
  const { port: backendPort } = backend.address() as { port: number };
  gateway = await startNginx(port, {
    upstreams: ['127.0.0.1:9'],
    grpc: { upstreams: [`127.0.0.1:${backendPort}`], services: ['orders.v1.Orders'], listen: [h2c] },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await new Promise((resolve) => backend?.close(resolve));
});

/** Everything the client got, as one text. */
const seen = (result: Awaited<ReturnType<typeof callGrpc>>) => JSON.stringify([result.headers, result.trailers]);

it('a trailers-only status: its leaky headers go, its grpc-message passes (nginx cannot rewrite it)', async () => {
  const result = await callGrpc(h2c, '/orders.v1.Orders/TrailersOnly', {});
  expect(result.code).toBe(13);
  // The documented limit: the backend's own status text reaches the client.
  expect(result.details).toBe('SELECT * FROM orders_private on db-primary.internal');
  expect(first(result.trailers, 'x-request-id')).toMatch(UUID_V4);
  expect(seen(result)).not.toMatch(/envoy|Express|4\.0\.30319|db-primary/);
});

it('a status after the headers: the leaky trailers named in the configuration go, x-debug-* passes', async () => {
  const result = await callGrpc(h2c, '/orders.v1.Orders/Trailers', {});
  expect(result.code).toBe(13);
  expect(first(result.headers, 'x-request-id')).toMatch(UUID_V4);
  expect(seen(result)).not.toMatch(/envoy|Express|4\.0\.30319/);
  for (const name of ['server', 'x-powered-by', 'via', 'x-aspnet-version'])
    expect(result.trailers).not.toHaveProperty(name);
  // nginx's grpc_hide_header takes names, not prefixes, and headers-more never sees trailers.
  expect(result.trailers['x-debug-db']).toBe('db-primary.internal:5432');
});

it('an HTTP error page instead of a gRPC answer: the gateway answers UNAVAILABLE (bad gateway) itself', async () => {
  const result = await callGrpc(h2c, '/orders.v1.Orders/Page', {});
  expectGatewayStatus(result, 'bad_gateway');
  expect(seen(result) + result.details).not.toMatch(/nginx|10\.0\.0\.5|envoy|<h1>/);
});
