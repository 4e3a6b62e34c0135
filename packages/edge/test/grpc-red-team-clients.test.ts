/**
 * Red team, hostile gRPC clients through both generated gateways (nginx and HAProxy, each over
 * TLS + HTTP/2 and over h2c `grpc.listen`), raw HTTP/2 from `node:http2`: a gRPC content type on
 * another method, paths that do not name a routed method as sent, hostile ids (two, upper case, a
 * refused version, 10 KB, CR LF or NUL on the wire), content-type tricks, deadlines, bodies over
 * the limit, many streams, resets, HTTP/1.1 asking for h2c. Each gets a gRPC status, the HTTP page
 * of a request that is no gRPC call, or the reset the README documents; the gateway answers the
 * next call.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, logged, UUID_V4, V4_ID, V7_ID } from './answers.js';
import { curl, headerValues, idle } from './gateway.js';
import { expectGatewayStatus, expectNoLeak, received } from './grpc-red-team-answers.js';
import { grpcFrame, type HostileBackend, startHostileBackend } from './grpc-red-team-backend.js';
import { grpcHeaders, type H2Request, type H2Result, h2Exchange } from './grpc-red-team-client.js';
import { type RedTeamGateways, type RedTeamTarget, startRedTeamGateways } from './grpc-red-team-gateways.js';

let backend: HostileBackend;
let gateways: RedTeamGateways;

beforeAll(async () => {
  backend = await startHostileBackend();
  gateways = await startRedTeamGateways(backend.port);
});

afterAll(async () => {
  await gateways?.stop();
  await backend?.stop();
});

const ECHO = '/orders.v1.Orders/Echo';

/** A gRPC call to `path` (Echo by default) with `more` headers. */
const request = (path = ECHO, more: H2Request['headers'] = {}, body = grpcFrame('{}')): H2Request => ({
  headers: grpcHeaders(path, more),
  body,
});

/** The request headers the backend echoed (a success of Echo). */
function echoed(result: H2Result): Record<string, string> {
  expect(result.trailers?.['grpc-status'], received(result)).toBe('0');
  return JSON.parse(result.data.subarray(5).toString()) as Record<string, string>;
}

/** Runs `check` on every listener at once, then checks each answers a plain call. */
async function onEveryListener(check: (target: RedTeamTarget) => Promise<void>) {
  await Promise.all(gateways.targets.map(check));
  const next = await Promise.all(gateways.targets.map((target) => h2Exchange(target, request())));
  for (const result of next) echoed(result);
}

/** The HTTP 404 page (a request that is no gRPC call), with an id. */
function expectNotFoundPage(result: H2Result, name: string) {
  expect(result.headers?.[':status'], `${name}: ${received(result)}`).toBe(404);
  expect(result.headers?.['content-type']).toBe('application/problem+json; charset=utf-8');
  expect(String(result.headers?.['x-request-id'])).toMatch(UUID_V4);
  expect(result.headers?.['grpc-status']).toBeUndefined();
  expectNoLeak(result);
}

describe('red team: requests that are no routed gRPC call', () => {
  it('a gRPC content type on GET or PUT is no gRPC call: the HTTP 404 page, the backend never reached', async () => {
    const before = backend.seen.length;
    await onEveryListener(async (target) => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const result = await h2Exchange(
          target,
          request(ECHO, { ':method': method }, method === 'GET' ? undefined : grpcFrame('{}')),
        );
        expectNotFoundPage(result, `${target.name} ${method}`);
      }
    });
    expect(backend.seen.length).toBe(before + gateways.targets.length);
  });

  it("the service's name without a slash, not a gRPC call: the 404 page, no redirect (nginx's own page)", async () => {
    await onEveryListener(async (target) => {
      const result = await h2Exchange(target, { headers: { ':method': 'GET', ':path': '/orders.v1.Orders' } });
      expectNotFoundPage(result, target.name);
      expect(result.headers?.location).toBeUndefined();
      if (target.caFile === undefined) return;
      const exchange = await curl([
        '--cacert',
        target.caFile,
        '--resolve',
        `localhost:${target.port}:127.0.0.1`,
        `https://localhost:${target.port}/orders.v1.Orders`,
      ]);
      expect(exchange.status).toBe(404);
      expect(headerValues(exchange, 'location')).toEqual([]);
      expect(exchange.raw).not.toMatch(/nginx|haproxy/i);
    });
  });

  it('a path that does not name a routed method as sent: UNIMPLEMENTED from the gateway', async () => {
    const paths = [
      `${ECHO}?x=1`,
      `${ECHO}/`,
      '/orders.v1.Orders/',
      '/orders.v1.Orders/Echo/Extra',
      '/orders.v1.Orders/../other.v1.Other/Get',
      '/orders.v1.Orders%2FEcho',
      '/orders.v1.Orders/Echo%2F..%2F..%2Fother.v1.Other%2FGet',
      `/${ECHO}`,
      '/orders.v1.Orders//Echo',
      '/orders.v1.OrdersX/Get',
      '/orders.v1/Orders.Echo',
    ];
    const before = backend.seen.length;
    await onEveryListener(async (target) => {
      for (const path of paths) {
        const result = await h2Exchange(target, request(path));
        await expectGatewayStatus(result, 'not_implemented', target);
      }
    });
    // Only the next calls of onEveryListener reached it.
    expect(backend.seen.length).toBe(before + gateways.targets.length);
  });

  it('content types: grpc+proto, parameters and upper case are calls; grpc-web or none get the 404 page', async () => {
    await onEveryListener(async (target) => {
      for (const type of ['application/grpc+proto', 'application/grpc;charset=x', 'APPLICATION/GRPC'])
        expect(echoed(await h2Exchange(target, request(ECHO, { 'content-type': type })))['content-type']).toBe(type);
      for (const type of ['application/grpc-web', 'application/grpc-web-text', 'application/grpcx', 'text/plain'])
        expectNotFoundPage(await h2Exchange(target, request(ECHO, { 'content-type': type })), `${target.name} ${type}`);
      const headers = grpcHeaders(ECHO);
      delete headers['content-type'];
      expectNotFoundPage(await h2Exchange(target, { headers, body: grpcFrame('{}') }), `${target.name} no type`);
    });
  });
});

describe('red team: hostile metadata', () => {
  it('ids: two, a refused version or 10 KB are replaced; upper case is kept in lower case; one id end to end', async () => {
    const cases: [string | string[], (id: string) => void][] = [
      [[V4_ID, '1b7d6f0e-5c2a-4e1b-9f3d-2a1c4b5e6f70'], (id) => expect(id).not.toBe(V4_ID)],
      [V4_ID.toUpperCase(), (id) => expect(id).toBe(V4_ID)],
      [V7_ID, (id) => expect(id).not.toBe(V7_ID)],
      ['a'.repeat(10_240), () => undefined],
    ];
    await onEveryListener(async (target) => {
      for (const [sent, check] of cases) {
        const result = await h2Exchange(target, request(ECHO, { 'x-request-id': sent }));
        const id = String(result.headers?.['x-request-id']);
        expect(id).toMatch(UUID_V4);
        check(id);
        expect(echoed(result)['x-request-id']).toBe(id);
        expect(await logged(target.dir, id)).toMatchObject({ status: 200 });
      }
    });
  });

  it('CR LF or NUL in a header value (on the wire): the stream is reset, the backend never reached', async () => {
    const placeholder = Buffer.from('id\xff\xffend', 'latin1');
    const before = backend.seen.length;
    await onEveryListener(async (target) => {
      for (const bad of ['id\r\nend', 'id\0\0end', 'id\r\rend']) {
        const result = await h2Exchange(target, {
          ...request(ECHO, { 'x-request-id': placeholder.toString('latin1') }),
          substitute: [placeholder, Buffer.from(bad, 'latin1')],
        });
        expect(result.headers, received(result)).toBeUndefined();
        // HTTP/2 forbids them in a field value; no request exists to answer (README).
        expect(result.rstCode, `${target.name} ${JSON.stringify(bad)}`).toBeGreaterThan(0);
      }
    });
    expect(backend.seen.length).toBe(before + gateways.targets.length);
  });

  it('grpc-timeout garbage or huge, and no te, reach the backend as sent (it enforces deadlines)', async () => {
    await onEveryListener(async (target) => {
      for (const timeout of ['xyz', '99999999H', '-1S'])
        expect(echoed(await h2Exchange(target, request(ECHO, { 'grpc-timeout': timeout })))['grpc-timeout']).toBe(
          timeout,
        );
      const headers = grpcHeaders(ECHO);
      delete headers.te;
      expect(echoed(await h2Exchange(target, { headers, body: grpcFrame('{}') })).te).toBeUndefined();
    });
  });
});

describe('red team: bodies, streams, resets, HTTP/1.1', () => {
  it('a message over maxBodySize: RESOURCE_EXHAUSTED when declared; undeclared, nginx counts it, HAProxy passes it (README)', async () => {
    const big = grpcFrame('x'.repeat(5000));
    await onEveryListener(async (target) => {
      const declared = await h2Exchange(target, request(ECHO, { 'content-length': String(big.length) }, big));
      await expectGatewayStatus(declared, 'payload_too_large', target);
      const undeclared = await h2Exchange(target, request(ECHO, {}, big));
      if (target.name.startsWith('nginx')) await expectGatewayStatus(undeclared, 'payload_too_large', target);
      else echoed(undeclared);
    });
  });

  it('200 concurrent streams on one connection all pass; a client resetting mid-call is logged under its id', async () => {
    await onEveryListener(async (target) => {
      const { connect } = await import('node:http2');
      const session = connect(
        target.ca === undefined ? `http://127.0.0.1:${target.port}` : `https://localhost:${target.port}`,
        target.ca === undefined ? {} : { ca: target.ca, host: '127.0.0.1', servername: 'localhost' },
      );
      session.on('error', () => undefined);
      const codes = await Promise.all(
        Array.from(
          { length: 200 },
          () =>
            new Promise<string>((resolve) => {
              const stream = session.request(grpcHeaders(ECHO));
              let code = 'none';
              stream.on('trailers', (trailers) => {
                code = String(trailers['grpc-status']);
              });
              stream.on('error', () => resolve('error'));
              stream.on('close', () => resolve(code));
              stream.resume();
              stream.end(grpcFrame('{}'));
            }),
        ),
      );
      session.destroy();
      expect(codes.filter((code) => code === '0')).toHaveLength(200);
      for (const method of ['Silent', 'Hang']) {
        // The client's own (valid) id: the backend and the log show it.
        const id = randomUUID();
        const reached = eventually(() => (backend.seen.includes(id) ? true : undefined), 5000);
        const result = await h2Exchange(target, {
          ...request(`/orders.v1.Orders/${method}`, { 'x-request-id': id }),
          resetWhen: reached,
        });
        expect(result.rstCode).toBe(8);
        expect(await logged(target.dir, id)).toMatchObject({ request_id: id, uri: `/orders.v1.Orders/${method}` });
      }
    });
  });

  it('HTTP/1.1 asking for h2c: closed on grpc.listen (HTTP/2 only), the 404 page on the TLS listener', async () => {
    const upgrade = [
      'Connection: Upgrade, HTTP2-Settings',
      'Upgrade: h2c',
      'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA',
      'Content-Type: application/grpc',
    ];
    await onEveryListener(async (target) => {
      if (target.caFile === undefined) {
        const raw = `POST ${ECHO} HTTP/1.1\r\nHost: localhost\r\n${upgrade.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
        const { text, closed } = await idle(target.port, raw, 5000);
        expect(closed).toBe(true);
        expect(text).not.toMatch(/HTTP\/1|nginx|haproxy/i);
      } else {
        const exchange = await curl([
          '--http1.1',
          '--cacert',
          target.caFile,
          '--resolve',
          `localhost:${target.port}:127.0.0.1`,
          ...upgrade.flatMap((header) => ['-H', header]),
          '--data-binary',
          '',
          `https://localhost:${target.port}${ECHO}`,
        ]);
        expect(exchange.status).toBe(404);
        expect(headerValues(exchange, 'content-type')).toEqual(['application/problem+json; charset=utf-8']);
        expect(exchange.raw).not.toMatch(/nginx|haproxy|upgrade: h2c/i);
      }
    });
  });
});
